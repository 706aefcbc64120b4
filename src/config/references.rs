//! Every secret reference of a loaded file names this program's service and this
//! config's own namespace: a crafted file cannot make wfm-wizard read another
//! application's secret, or another config's.

use super::{Document, ParseError, Setting};
use crate::catalog::Catalog;
use crate::secret::{NAMESPACE_LEN, ReferenceProblem, check_reference, is_namespace};

/// Refuses the first reference outside this config's part of the keyring, by its path.
pub fn check(document: &Document) -> Result<(), ParseError> {
    // A version-1 file has no namespace: its references use the names from before
    // namespaces. A copy of another file carries the original's namespace (and
    // references) until its first save, so it passes as the original does.
    let namespace = document.namespace.as_deref();
    if namespace.is_some_and(|n| !is_namespace(n)) {
        return Err(ParseError(format!(
            "`namespace` must be {NAMESPACE_LEN} lower-case hex digits, as wfm-wizard writes it"
        )));
    }
    let catalog = Catalog::builtin();
    for (index, integration) in document.integrations.iter().enumerate() {
        for (position, (key, setting)) in integration.settings.0.iter().enumerate() {
            let Setting::Secret(reference) = setting else {
                continue;
            };
            if let Err(problem) = check_reference(reference, namespace) {
                let known = catalog
                    .platforms
                    .iter()
                    .any(|p| p.fields.iter().any(|f| &f.key == key));
                let name = if known {
                    key.clone()
                } else {
                    format!("<setting {}>", position + 1)
                };
                let field = match problem {
                    ReferenceProblem::OtherService => "service",
                    _ => "user",
                };
                return Err(ParseError(format!(
                    "`integrations[{index}].settings.{name}.keyring.{field}` {problem}"
                )));
            }
        }
    }
    Ok(())
}
