//! Sets the terminal up exactly as the wizard does, then panics. `tests/terminal_restore.rs`
//! runs it in a pseudo-terminal to check that a panic leaves the terminal usable: raw
//! mode off, alternate screen left, bracketed paste off, and the message readable.

fn main() {
    let _terminal = wfm_wizard::terminal::init(true).expect("a terminal");
    panic!("deliberate panic to check that the terminal is restored");
}
