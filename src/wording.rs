//! A count beside a noun agrees with it: "1 char", "2 chars", "0 chars".

/// `n` followed by `one` when `n` is 1, else by `many`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 char", "44 chars": the length of a value as the screens show it.
pub fn chars(n: usize) -> String {
    counted(n, "char", "chars")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(chars(1), "1 char");
        assert_eq!(chars(0), "0 chars");
        assert_eq!(chars(44), "44 chars");
        assert_eq!(counted(1, "entry", "entries"), "1 entry");
        assert_eq!(counted(3, "entry", "entries"), "3 entries");
    }
}
