//! The answers file offered on Done.

use super::*;
use crate::answers::{AnswerValue, SecretSource, render_answers};

fn saved() -> Wizard {
    let mut w = wizard();
    w.start();
    w.update(Msg::StoreResolved(Ok(StoreInfo {
        kind: StoreKind::SecretService,
        note: None,
        systemd_creds_skipped: None,
    })));
    act(&mut w, Action::Enter);
    add_integration(&mut w, "east", &jwt_never_expires());
    select_row(&mut w, 2);
    act(&mut w, Action::Enter);
    act(&mut w, Action::Last);
    act(&mut w, Action::Enter); // skip user import
    act(&mut w, Action::Save);
    w.update(Msg::SaveDone(Ok(SaveReport {
        integrations: 1,
        secrets_written: 2,
        warnings: vec![],
    })));
    w
}

#[test]
fn done_offers_the_answers_file_with_env_placeholders_and_never_a_secret() {
    let mut w = saved();
    assert!(w.answers_lines().is_empty(), "nothing written yet");
    let effects = act(&mut w, Action::WriteAnswers);
    let [Effect::WriteAnswers { path, answers }] = effects.as_slice() else {
        panic!("expected one answers effect, got {effects:?}")
    };
    assert_eq!(*path, format!("{}.answers.yaml", w.config_path()));
    let text = render_answers(answers).unwrap();
    assert!(!text.contains(CLIENT_SECRET), "{text}");
    assert!(!text.contains(&jwt_never_expires()[..40]), "{text}");
    let env = env_names(answers);
    assert_eq!(
        env,
        [
            "WFM_RINGCENTRAL_V1_HISTORICAL_EAST_CLIENT_SECRET",
            "WFM_RINGCENTRAL_V1_HISTORICAL_EAST_JWT"
        ]
    );
    assert!(
        answers.integrations[0]
            .settings
            .0
            .iter()
            .any(|(_, v)| matches!(v, AnswerValue::Secret(SecretSource::Env(_))))
    );
    assert!(crate::commands::apply::check_answers(answers, &w.catalog).is_empty());
    let path = path.clone();
    w.update(Msg::AnswersWritten(Ok(AnswersWritten {
        path: path.clone(),
        env,
    })));
    let lines = w.answers_lines().join("\n");
    assert!(
        lines.contains(&format!("Answers written to {path}.")),
        "{lines}"
    );
    assert!(
        lines.contains("WFM_RINGCENTRAL_V1_HISTORICAL_EAST_JWT")
            && lines.contains(&format!("wfm-wizard apply --answers {path}")),
        "{lines}"
    );
    assert!(matches!(w.step, Step::Done(_)), "still on Done");
    act(&mut w, Action::Enter);
    assert!(matches!(w.outcome, Some(Outcome::Saved(_))));
}

#[test]
fn the_answers_key_does_nothing_before_the_save_and_a_failure_is_said() {
    let mut w = wizard();
    assert!(act(&mut w, Action::WriteAnswers).is_empty());
    let mut w = saved();
    w.update(Msg::AnswersWritten(Err("denied".into())));
    assert!(
        w.notice
            .as_ref()
            .is_some_and(|n| n.level == Level::Error && n.text.contains("denied"))
    );
    act(&mut w, Action::No);
    assert!(matches!(w.outcome, Some(Outcome::Saved(_))), "n finishes");
}
