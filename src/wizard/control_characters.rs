//! The one refusal of a value that holds a control character. The form's paste and
//! plain mode's typed answers both use it, so both faces name the character the same way.

/// Refuses a value holding a control character (a tab, a line break, an escape),
/// saying which one; such a value is not one anyone meant to give.
pub fn refuse_control_characters(value: &str) -> Result<(), String> {
    let Some(found) = value.chars().find(|c| c.is_control()) else {
        return Ok(());
    };
    let what = match found {
        '\n' | '\r' => "a line break".to_owned(),
        '\t' => "a tab".to_owned(),
        '\u{1b}' => "an escape character (an arrow or function key, or a colour code?)".to_owned(),
        other => format!("the control character U+{:04X}", u32::from(other)),
    };
    Err(format!(
        "Refused: the value contains {what}; nothing was changed. Type or paste it again as one line."
    ))
}

#[cfg(test)]
mod tests {
    use super::refuse_control_characters;

    #[test]
    fn names_the_character_it_refuses() {
        assert!(refuse_control_characters("plain Öst value").is_ok());
        let cases = [
            ("a\tb", "a tab"),
            ("a\nb", "a line break"),
            ("a\u{1b}[31mb", "an escape character"),
            ("a\u{7}b", "U+0007"),
        ];
        for (value, named) in cases {
            let refusal = refuse_control_characters(value).unwrap_err();
            assert!(refusal.contains(named), "{refusal}");
            assert!(refusal.contains("nothing was changed"), "{refusal}");
        }
    }
}
