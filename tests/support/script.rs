//! Scripted key and paste events for the real app loop on a `TestBackend`.
//!
//! Include it with `#[path = "support/script.rs"] mod script;`.
#![allow(dead_code)] // each test target uses its own part of this module

use std::collections::VecDeque;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use wfm_wizard::app::{AppEvent, EventSource};

pub struct Script(pub VecDeque<AppEvent>);

impl EventSource for Script {
    fn next_event(&mut self) -> Option<AppEvent> {
        self.0.pop_front()
    }
}

impl Script {
    pub fn key(&mut self, code: KeyCode) -> &mut Self {
        self.with(code, KeyModifiers::NONE)
    }
    pub fn with(&mut self, code: KeyCode, modifiers: KeyModifiers) -> &mut Self {
        let event = KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        self.0.push_back(AppEvent::Input(Event::Key(event)));
        self
    }
    pub fn text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }
    pub fn paste(&mut self, text: &str) -> &mut Self {
        self.0
            .push_back(AppEvent::Input(Event::Paste(text.to_owned())));
        self
    }
    pub fn enter(&mut self) -> &mut Self {
        self.key(KeyCode::Enter)
    }
    /// Fills a new integration's form from its first field and finishes it.
    pub fn integration(&mut self, group: &str, secret: &str, jwt: &str) -> &mut Self {
        self.text(group)
            .enter()
            .enter()
            .text("AbCdEfGhIjKlMnOpQrStUv")
            .enter();
        self.paste(secret)
            .enter()
            .paste(&format!("{jwt}\n"))
            .enter()
            .text("15910001")
            .enter()
    }
}

impl Script {
    pub fn new() -> Self {
        Script(VecDeque::new())
    }

    pub fn ctrl(&mut self, c: char) -> &mut Self {
        self.with(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
}
