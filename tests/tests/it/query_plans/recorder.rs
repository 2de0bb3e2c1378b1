//! Records every statement a connection runs, tagged with the repository call that ran it.

use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::{DatabaseConnection, Statement};

/// One statement and the call it came from.
#[derive(Clone, Debug)]
pub(super) struct Recorded {
    /// The repository call, as named by [`Recorder::call`].
    pub(super) call: String,
    /// The statement, with its bound values.
    pub(super) statement: Statement,
}

#[derive(Default)]
struct Log {
    call: String,
    statements: Vec<Recorded>,
}

/// A shared log that a connection's metric callback appends to.
#[derive(Clone, Default)]
pub(super) struct Recorder(Arc<Mutex<Log>>);

impl Recorder {
    /// A clone of `db` (same pool) whose every statement lands in the returned recorder.
    pub(super) fn attach(db: &DatabaseConnection) -> (DatabaseConnection, Self) {
        let recorder = Self::default();
        let log = recorder.clone();
        let mut recording = db.clone();
        recording.set_metric_callback(move |info| {
            let mut log = log.0.lock().unwrap_or_else(PoisonError::into_inner);
            let call = log.call.clone();
            log.statements.push(Recorded {
                call,
                statement: info.statement.clone(),
            });
        });
        (recording, recorder)
    }

    /// Names the repository call whose statements come next.
    pub(super) fn call(&self, name: &str) {
        name.clone_into(&mut self.lock().call);
    }

    /// Everything recorded so far.
    pub(super) fn statements(&self) -> Vec<Recorded> {
        self.lock().statements.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
