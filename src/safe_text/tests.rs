use std::io::Write;

use super::*;

const HOSTILE: &str = "east\u{1b}[2J\u{1b}]0;PWNED\u{7}\u{9b}31m\r\u{202e}";

fn written(chunks: &[&[u8]]) -> String {
    let mut out = Vec::new();
    {
        let mut writer = EscapingWriter::new(&mut out);
        for chunk in chunks {
            writer.write_all(chunk).unwrap();
        }
    }
    String::from_utf8(out).expect("the writer sends UTF-8 only")
}

fn assert_inert(text: &str) {
    assert!(
        !text.chars().any(needs_escape),
        "a control character got through: {text:?}"
    );
}

#[test]
fn escape_doubles_backslashes_and_escape_controls_keeps_them() {
    assert_eq!(escape("a\\x1b\u{1b}"), "a\\\\x1b\\x1b");
    assert_eq!(
        escape("a\nb\t"),
        "a\\x0ab\\x09",
        "a value stays on its line"
    );
    assert_eq!(escape_controls("a\\x1b\u{1b}"), "a\\x1b\\x1b");
    assert_eq!(
        escape_controls(HOSTILE),
        "east\\x1b[2J\\x1b]0;PWNED\\x07\\x9b31m\\x0d\\u{202e}"
    );
    assert!(matches!(escape_controls("plain\ttext\n"), Cow::Borrowed(_)));
}

#[test]
fn the_writer_escapes_controls_keeps_lines_and_holds_split_characters() {
    let text = written(&[b"line one\n", HOSTILE.as_bytes(), b"\tok \xc3", b"\xa9\n"]);
    assert_inert(&text);
    assert!(text.starts_with("line one\neast\\x1b[2J"), "{text}");
    assert!(text.ends_with("\tok \u{e9}\n"), "{text}");
}

#[test]
fn bytes_that_are_not_utf8_go_out_as_escapes() {
    // 0x9b alone is the 8-bit CSI on terminals that take 8-bit controls.
    let text = written(&[b"a\x9b2Jb\xff", b"\xe2\x82"]);
    assert_eq!(text, "a\\x9b2Jb\\xff\\xe2\\x82");
}
