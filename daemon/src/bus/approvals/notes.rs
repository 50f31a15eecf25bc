//! Which desktop notification shows which requests: one per requester, so an app that opens
//! many requests gets one notification ("… and N more request(s)"), not a wall of them.
//!
//! A requester is a foreign app's identity (executable or Flatpak id), or the bus name of one of
//! Latchkey's own clients or of a push token.

use std::collections::HashMap;

/// The notification shown for one requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Its id at the notification server.
    pub id: u32,
    /// The request whose buttons it carries (the requester's oldest pending one).
    pub path: String,
    /// How many more of the requester's requests it mentions.
    pub more: usize,
}

/// Requesters of delivered requests, and the notification of each requester.
#[derive(Debug, Default)]
pub struct Notes {
    group: HashMap<String, String>,
    shown: HashMap<String, Note>,
}

impl Notes {
    /// Records that request `path` belongs to requester `key`.
    pub fn join(&mut self, path: &str, key: &str) {
        self.group.insert(path.to_string(), key.to_string());
    }

    /// Forgets request `path`; returns its requester.
    pub fn leave(&mut self, path: &str) -> Option<String> {
        self.group.remove(path)
    }

    /// The requester of request `path`.
    pub fn requester(&self, path: &str) -> Option<&str> {
        self.group.get(path).map(String::as_str)
    }

    /// The delivered requests of requester `key`.
    pub fn members(&self, key: &str) -> Vec<String> {
        self.group
            .iter()
            .filter(|(_, k)| *k == key)
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// The notification of requester `key`.
    pub fn shown(&self, key: &str) -> Option<&Note> {
        self.shown.get(key)
    }

    /// Records the notification of requester `key`.
    pub fn set_shown(&mut self, key: &str, note: Note) {
        self.shown.insert(key.to_string(), note);
    }

    /// Forgets the notification of requester `key` (closed, or to be shown anew).
    pub fn unshow(&mut self, key: &str) -> Option<Note> {
        self.shown.remove(key)
    }

    /// The request whose buttons notification `id` carries.
    pub fn path_of(&self, id: u32) -> Option<String> {
        self.shown
            .values()
            .find(|n| n.id == id)
            .map(|n| n.path.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_grouped_by_requester() {
        let mut n = Notes::default();
        n.join("/r/1", "exe:/a");
        n.join("/r/2", "exe:/a");
        n.join("/r/3", ":1.5");
        let mut a = n.members("exe:/a");
        a.sort();
        assert_eq!(a, ["/r/1", "/r/2"]);
        n.set_shown(
            "exe:/a",
            Note {
                id: 7,
                path: "/r/1".into(),
                more: 1,
            },
        );
        assert_eq!(n.path_of(7).as_deref(), Some("/r/1"));
        assert_eq!(n.leave("/r/1").as_deref(), Some("exe:/a"));
        assert_eq!(n.members("exe:/a"), ["/r/2"]);
        assert_eq!(n.unshow("exe:/a").map(|n| n.id), Some(7));
        assert_eq!(n.path_of(7), None);
    }
}
