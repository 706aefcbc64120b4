//! The process's standard output and error for messages. Messages quote paths, keyring
//! entry names and values from files and the environment, any of which may carry an
//! escape sequence: everything written here goes through [`EscapingWriter`], so no
//! control character reaches the terminal (or a log) as it is.
//!
//! Not for a secret's value (`secret get` writes those bytes to its pipe untouched), nor
//! for the full-screen wizard's own terminal control sequences.

use crate::safe_text::EscapingWriter;

/// Standard output, for messages.
pub fn stdout() -> EscapingWriter<std::io::Stdout> {
    EscapingWriter::new(std::io::stdout())
}

/// Standard error, for messages.
pub fn stderr() -> EscapingWriter<std::io::Stderr> {
    EscapingWriter::new(std::io::stderr())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Where the raw streams may be used: here, the full-screen terminal (its own
    /// control sequences), and `main` (the secret's bytes for `secret get`).
    const ALLOWED: &[&str] = &["io/standard_streams.rs", "terminal.rs", "main.rs"];
    const RAW: &[&str] = &[
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
        "stdout()",
        "stderr()",
    ];

    fn visit(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("list src").flatten() {
            let path = entry.path();
            let name = path.to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                visit(&path, found);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || name.ends_with("/tests.rs")
                || ALLOWED.iter().any(|a| name.ends_with(&format!("src/{a}")))
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read a source file");
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                let line = line
                    .replace("standard_streams::stdout()", "")
                    .replace("standard_streams::stderr()", "");
                if RAW.iter().any(|raw| line.contains(raw)) {
                    found.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }

    /// Messages reach the terminal only through the escaping streams: a new
    /// `eprintln!` would send a hostile path or value raw.
    #[test]
    fn no_message_bypasses_the_escaping_streams() {
        let mut found = Vec::new();
        visit(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "use io::standard_streams instead:\n{}",
            found.join("\n")
        );
    }
}
