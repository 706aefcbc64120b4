//! A property test of the loader: random mutations of valid files and of a hostile
//! corpus (truncation, byte flips, huge scalars, deep nesting, alias bombs, tags, BOM,
//! NUL, CRLF, non-UTF-8) go through what loading does (UTF-8, `parse_document`, then
//! the catalog's rules), and each must end in a refusal or a document, without a panic,
//! within a second, with messages that quote no value of the file. Shared by
//! `tests/loader_fuzz.rs` (a few thousand cases) and the benchmark's long mode.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use wfm_wizard::catalog::Catalog;
use wfm_wizard::config::{parse_document, parse_document_in_two_passes};
use wfm_wizard::validate::check_document;

/// Values planted in the valid files: no message may contain one.
pub const MARKERS: [&str; 5] = [
    "Qz7markA1",
    "Qz7markB2",
    "Qz7markC3",
    "Qz7markD4",
    "Qz7markE5",
];

/// The longest one case may take.
pub const CASE_LIMIT: Duration = Duration::from_secs(1);

/// xorshift64*: deterministic, so a failing seed can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn valid_v2() -> String {
    let [m1, m2, m3, m4, m5] = MARKERS;
    format!(
        "# Managed by wfm-wizard.\nversion: 2\nnamespace: 0123456789ab\nrevision: 3\n\
         confirmed:\n- ringcentral-v1/user-import/set-employee-defaults\nintegrations:\n\
         - platform: ringcentral-v1\n  operation: historical\n  group: east\n  enabled: true\n  \
         settings:\n    client_id: {m1}\n    client_secret:\n      keyring:\n        \
         store: keyutils\n        service: wfm-wizard\n        \
         user: 0123456789ab/ringcentral-v1/historical/east/{m2}\n    jwt:\n      keyring:\n        \
         store: secret-service\n        service: wfm-wizard\n        \
         user: 0123456789ab/ringcentral-v1/historical/east/jwt\n    sub_account_id: '{m3}'\n\
         - {{platform: ringcentral-v1, operation: user-import, group: west, enabled: false, \
         settings: {{client_id: \"{m4}\", sub_account_id: {m5}}}}}\n"
    )
}

/// Files a hostile or careless hand could write.
pub fn corpus() -> Vec<Vec<u8>> {
    let base = valid_v2();
    let laughs = "version: 1\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n\
                  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n\
                  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
    let mut out: Vec<Vec<u8>> = vec![
        base.clone(),
        include_str!("../../assets/example.yaml").to_owned(),
        base.replace("version: 2", "version: !!python/object:os.system 2"),
        base.replace("group: east", "group: !!null east"),
        base.replace("version: 2", "version: \"2\""),
        base.replace("version: 2", "version: 0x2"),
        base.replace("version: 2", "version: +2"),
        base.replace("group: east", "group: \"ea\\0st\""),
        base.replace("group: east", "group: \"east\\e[2J\\e]0;PWNED\\a\""),
        base.replace("group: east", &format!("group: {}", "g".repeat(1 << 20))),
        base.replace(
            "integrations:",
            &format!("integrations: {}", "[".repeat(10_000)),
        ),
        laughs.to_owned(),
        format!("\u{feff}{base}"),
        base.replace("\n  group", "\n  \u{feff}group"),
        base.replace('\n', "\r\n"),
        base.replace("east", "East\u{200b}"),
        base.replace("group: east", "group: O\u{308}ST"),
        base.replace("service: wfm-wizard", "service: chrome"),
        base.replace(
            "0123456789ab/ringcentral-v1/historical/east/jwt",
            "ba9876543210/x/y/z/jwt",
        ),
        format!("%YAML 1.1\n%TAG ! tag:evil.example,2000:\n---\n{base}"),
        format!("{base}---\n{base}"),
        base.replace("integrations:", "integrations: *nowhere\nx:"),
        base.replace("confirmed:", "? [complex, key]\n: 1\nconfirmed:"),
        "version: 1\nintegrations: [{platform: {a: 1}}]\n".to_owned(),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect();
    let mut not_utf8 = base.into_bytes();
    not_utf8.splice(40..40, [0xff, 0xfe, 0xc3]);
    out.push(not_utf8);
    out
}

/// Bytes that break YAML or hide in it.
const PALETTE: &[&[u8]] = &[
    b"\0",
    b"\x1b",
    b"\r",
    b"\n",
    b"\t",
    b"\"",
    b"'",
    b":",
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"&a ",
    b"*a",
    b"!!str ",
    b"!x ",
    b"#",
    b"|",
    b">",
    b"? ",
    b"%",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\x8b",
    b"\xe2\x80\xae",
    b"~",
    b"null",
    b"0x1",
    b"\\",
];

/// One to four random changes.
pub fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(11) {
            0 => bytes.truncate(at),
            1 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << rng.below(8);
            }
            2 => {
                let piece = PALETTE[rng.below(PALETTE.len())];
                bytes.splice(at..at, piece.iter().copied());
            }
            3 => {
                let huge = vec![b'A'; 1 + rng.below(300_000)];
                bytes.splice(at..at, huge);
            }
            4 => {
                let depth = 1 + rng.below(2_000);
                let open = if rng.below(2) == 0 { b'[' } else { b'{' };
                bytes.splice(at..at, std::iter::repeat_n(open, depth));
            }
            5 => bytes
                .splice(at..at, b"!!python/object:os.system ".iter().copied())
                .for_each(drop),
            6 => {
                bytes = String::from_utf8_lossy(&bytes)
                    .replace('\n', "\r\n")
                    .into_bytes();
            }
            7 => bytes
                .splice(0..0, b"\xef\xbb\xbf".iter().copied())
                .for_each(drop),
            8 => {
                // Duplicate or delete a line.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let mut lines: Vec<&str> = text.split('\n').collect();
                let i = rng.below(lines.len());
                if rng.below(2) == 0 {
                    lines.insert(i, lines[i]);
                } else {
                    lines.remove(i);
                }
                bytes = lines.join("\n").into_bytes();
            }
            9 => bytes
                .splice(at..at, b"&x [*x, *x]".iter().copied())
                .for_each(drop),
            _ => {
                let random: Vec<u8> = (0..=rng.below(8)).map(|_| rng.next() as u8).collect();
                bytes.splice(at..at, random);
            }
        }
    }
    bytes
}

/// What loading said, as the operator would read it.
fn load(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return vec!["it is not UTF-8 text, so not YAML".into()];
    };
    match parse_document(text) {
        Err(e) => vec![e.to_string()],
        Ok(document) => check_document(&document, &Catalog::builtin(), 1_750_000_000)
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

/// Checks one input; `Err` says what went wrong.
pub fn check_one(bytes: &[u8]) -> Result<(), String> {
    let started = Instant::now();
    let said = catch_unwind(AssertUnwindSafe(|| load(bytes)))
        .map_err(|_| "the loader panicked".to_owned())?;
    let took = started.elapsed();
    if took > CASE_LIMIT {
        return Err(format!("took {took:?}"));
    }
    check_messages(&said)?;
    same_in_one_pass(bytes)
}

/// The single pass (issue 15) decides every input exactly as the strict pass followed
/// by serde-saphyr does: the same document, or the same refusal.
pub fn same_in_one_pass(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let one = parse_document(text);
    let two = parse_document_in_two_passes(text);
    if one == two {
        Ok(())
    } else {
        Err(format!(
            "one pass and two passes differ:\n one: {one:?}\n two: {two:?}\n input: {text:?}"
        ))
    }
}

/// No message quotes a planted value or holds a control character.
pub fn check_messages(said: &[String]) -> Result<(), String> {
    for message in said {
        if let Some(marker) = MARKERS
            .iter()
            .find(|m| message.contains(**m) || message.contains(&m[..7]))
        {
            return Err(format!("a message quotes the file ({marker}): {message}"));
        }
        if message.chars().any(char::is_control) {
            return Err(format!("a message holds a control character: {message:?}"));
        }
    }
    Ok(())
}

/// Runs `cases` random cases from `seed`; `Err` names the first failure and how to
/// replay it.
pub fn run(cases: usize, seed: u64) -> Result<usize, String> {
    let corpus = corpus();
    for input in &corpus {
        check_one(input).map_err(|why| format!("corpus entry: {why}"))?;
    }
    let mut rng = Rng::new(seed);
    for case in 0..cases {
        let case_seed = rng.next();
        let mut case_rng = Rng::new(case_seed);
        let base = &corpus[case_rng.below(corpus.len())];
        let input = mutate(&mut case_rng, base);
        check_one(&input).map_err(|why| {
            format!("case {case} (case seed {case_seed:#x}, run seed {seed:#x}): {why}")
        })?;
    }
    Ok(corpus.len() + cases)
}
