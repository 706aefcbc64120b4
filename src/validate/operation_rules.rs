//! The rules between operations, checked once for the wizard (which refuses to save)
//! and for `validate` (which reports): an operation that requires another one, and
//! prerequisites the operator must confirm. One function, one severity.

use super::Severity;
use crate::catalog::{Operation, Prerequisite, Requirement};

/// How much a broken rule weighs, wherever it is found: the wizard does not save
/// such a config, and `validate` fails it.
pub const SEVERITY: Severity = Severity::Error;

/// One rule of an operation that a config breaks.
#[derive(Clone, Copy, Debug)]
pub enum Broken<'a> {
    /// The platform has no integration of the operation this one requires.
    Requires(&'a Requirement),
    /// A prerequisite the operator has not confirmed.
    Unconfirmed(&'a Prerequisite),
}

/// The rules of `operation` (of `platform`) that a config breaks: `has_operation`
/// says whether the same platform has an integration of an operation (by id),
/// `confirmed` lists the confirmed prerequisites (see [`prerequisite_id`]).
pub fn broken<'a>(
    platform: &str,
    operation: &'a Operation,
    has_operation: impl Fn(&str) -> bool,
    confirmed: &[String],
) -> Vec<Broken<'a>> {
    let requires = operation
        .requires
        .iter()
        .filter(|r| !has_operation(&r.operation))
        .map(Broken::Requires);
    let unconfirmed = operation
        .prerequisites
        .iter()
        .filter(|p| !confirmed.contains(&prerequisite_id(platform, &operation.id, &p.id)))
        .map(Broken::Unconfirmed);
    requires.chain(unconfirmed).collect()
}

/// How a confirmed prerequisite is recorded in the config's `confirmed` list.
pub fn prerequisite_id(platform: &str, operation: &str, prerequisite: &str) -> String {
    format!("{platform}/{operation}/{prerequisite}")
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::secret::StoreKind;
    use crate::test_support::{NOW, loaded_document};
    use crate::validate::{Severity, check_document};
    use crate::wizard::Wizard;

    /// A User import integration whose prerequisite nobody confirmed: `validate` and
    /// the wizard both call it the same weight (an error; the wizard will not save).
    #[test]
    fn an_unconfirmed_prerequisite_weighs_the_same_in_validate_and_the_wizard() {
        let mut document = loaded_document(StoreKind::Keyutils, true);
        let mut user_import = document.integrations[0].clone();
        user_import.operation = "user-import".into();
        document.integrations.push(user_import);

        let problems = check_document(&document, &Catalog::builtin(), NOW);
        let unconfirmed: Vec<_> = problems
            .iter()
            .filter(|p| p.message.contains("set-employee-defaults"))
            .collect();
        assert_eq!(unconfirmed.len(), 1, "{problems:?}");
        assert_eq!(unconfirmed[0].severity, Severity::Error);

        let wizard = Wizard::new(Catalog::builtin(), Some(&document), "x", NOW);
        assert!(
            wizard
                .problems()
                .iter()
                .any(|p| p.starts_with("User import")),
            "{:?}",
            wizard.problems()
        );

        document
            .confirmed
            .push("ringcentral-v1/user-import/set-employee-defaults".into());
        let problems = check_document(&document, &Catalog::builtin(), NOW);
        assert!(
            !problems.iter().any(|p| p.message.contains("set-employee")),
            "{problems:?}"
        );
    }
}
