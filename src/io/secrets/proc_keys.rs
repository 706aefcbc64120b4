//! The kernel keyring has no search by service: the candidates come from `/proc/keys`.

/// The users of kernel keys described `keyring:<user>@<service>` in `/proc/keys`,
/// which lists every key this user may view, wherever it is linked.
pub(super) fn kernel_key_users(service: &str) -> Vec<String> {
    std::fs::read_to_string("/proc/keys")
        .map(|listing| users_in_proc_keys(&listing, service))
        .unwrap_or_default()
}

/// Parses `/proc/keys` lines: `ID FLAGS USAGE TIMEOUT PERM UID GID TYPE DESCRIPTION: INFO`.
pub(super) fn users_in_proc_keys(listing: &str, service: &str) -> Vec<String> {
    let suffix = format!("@{service}");
    listing
        .lines()
        .filter_map(|line| {
            if line.split_whitespace().nth(7) != Some("user") {
                return None;
            }
            let rest = line.split_once(" keyring:")?.1;
            let description = rest.rsplit_once(": ").map_or(rest, |(d, _)| d);
            description.strip_suffix(&suffix).map(str::to_owned)
        })
        .collect()
}
