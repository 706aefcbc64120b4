//! After "Saved.": the offer to write this session's answers file, so one server
//! configured by hand becomes the template for `wfm-wizard apply` on the rest.

use super::{Effect, Level, Notice, Step, StoreStatus, Wizard};
use crate::answers::{AnswerValue, SecretSource};

/// Where the answers file went and the environment variables `apply` reads its
/// secrets from (names only: the file never holds a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswersWritten {
    pub path: String,
    pub env: Vec<String>,
}

impl Wizard {
    /// Where the answers file of this config goes: beside it.
    pub fn answers_path(&self) -> String {
        format!("{}.answers.yaml", self.config_path)
    }

    /// The answers file written this session (`Some(Err)`: why it could not be).
    pub fn answers_written(&self) -> Option<&Result<AnswersWritten, String>> {
        self.answers_written.as_ref()
    }

    /// The answers of the config as saved, for the effect runner to write.
    pub(super) fn write_answers(&mut self) -> Vec<Effect> {
        let (Step::Done(_), StoreStatus::Ready(info)) = (&self.step, &self.store) else {
            return Vec::new();
        };
        let document = self.save_plan(info.kind).document;
        let answers = crate::answers::from_config::answers_of(&document, &self.catalog);
        vec![Effect::WriteAnswers {
            path: self.answers_path(),
            answers,
        }]
    }

    pub(super) fn answers_done(&mut self, result: Result<AnswersWritten, String>) -> Vec<Effect> {
        if let Err(why) = &result {
            self.notice = Some(Notice {
                level: Level::Error,
                text: format!("The answers file was not written: {why}"),
            });
        }
        self.answers_written = Some(result);
        Vec::new()
    }

    /// What the Done screen says about the answers file once it is written, in both
    /// faces' words (empty until then).
    pub fn answers_lines(&self) -> Vec<String> {
        let Some(Ok(written)) = &self.answers_written else {
            return Vec::new();
        };
        let mut lines = vec![format!("Answers written to {}.", written.path)];
        if written.env.is_empty() {
            lines.push(format!(
                "On another server: wfm-wizard apply --answers {}",
                written.path
            ));
        } else {
            lines.push(format!(
                "On another server, set {} to the secrets, then run: wfm-wizard apply --answers {}",
                written.env.join(", "),
                written.path
            ));
        }
        lines
    }
}

/// The environment variables an answers file reads its secrets from, in file order.
pub fn env_names(answers: &crate::answers::Answers) -> Vec<String> {
    answers
        .integrations
        .iter()
        .flat_map(|i| i.settings.0.iter())
        .filter_map(|(_, value)| match value {
            AnswerValue::Secret(SecretSource::Env(name)) => Some(name.clone()),
            _ => None,
        })
        .collect()
}
