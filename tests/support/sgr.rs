//! What a terminal's output says about style: the SGR (`ESC [ … m`) codes in it.
//!
//! Include it from a test target with `#[path = "support/sgr.rs"] mod sgr;`.
#![allow(dead_code)] // each test target uses its own part of this module

/// Every SGR sequence in `raw`, as its list of numeric parameters (`ESC[m` is `[0]`).
pub fn sequences(raw: &[u8]) -> Vec<Vec<u16>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < raw.len() {
        if raw[i] == 0x1b && raw[i + 1] == b'[' {
            let start = i + 2;
            let mut end = start;
            while end < raw.len() && (raw[end].is_ascii_digit() || raw[end] == b';') {
                end += 1;
            }
            if end < raw.len() && raw[end] == b'm' {
                let params = std::str::from_utf8(&raw[start..end]).unwrap_or("");
                let codes: Vec<u16> = if params.is_empty() {
                    vec![0]
                } else {
                    params.split(';').map(|p| p.parse().unwrap_or(0)).collect()
                };
                out.push(codes);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The colour codes among one sequence's parameters: 30–39, 40–49, 90–97, 100–107
/// (38 and 48 introduce 256-colour and RGB forms, 39 and 49 reset to the default).
pub fn colour_codes(codes: &[u16]) -> Vec<u16> {
    codes
        .iter()
        .copied()
        .filter(|c| matches!(c, 30..=39 | 40..=49 | 90..=97 | 100..=107))
        .collect()
}

/// Whether any sequence in `raw` sets `code` (e.g. 1 bold, 7 reverse).
pub fn sets(raw: &[u8], code: u16) -> bool {
    sequences(raw).iter().any(|s| s.contains(&code))
}
