use crate::error::{AppError, Result};
use anyhow::Context;
use ecrf_services::clock::SystemClock;
use ecrf_services::{Config, Ecrf, Kdf, Session};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// The open database and the logged-in session (one user at a time per window).
pub struct AppState {
    inner: Mutex<Inner>,
}

pub struct Inner {
    /// The open database; `None` while an encrypted database waits for its passphrase.
    ecrf: Option<Ecrf>,
    pub session: Option<Session>,
    db: PathBuf,
    config: Config,
}

impl AppState {
    /// The database comes from `ECRF_DB`, or `--db PATH`, or `site.db` in the user's data
    /// folder; it must have been created with `ecrf init` (the run script does that).
    pub fn from_env() -> anyhow::Result<AppState> {
        let mut args = std::env::args().skip(1);
        let mut db: Option<PathBuf> = std::env::var_os("ECRF_DB").map(PathBuf::from);
        while let Some(a) = args.next() {
            if a == "--db" {
                db = args.next().map(PathBuf::from);
            }
        }
        let db = match db {
            Some(p) => p,
            None => data_dir().join("site.db"),
        };
        let kdf = match std::env::var("ECRF_KDF").as_deref() {
            Ok("fast") => Kdf::Fast,
            _ => Kdf::Standard,
        };
        let key = std::env::var("ECRF_DB_KEY").ok().filter(|k| !k.is_empty());
        let config = Config {
            kdf,
            ..Config::default()
        };
        // An encrypted database without ECRF_DB_KEY waits for its passphrase, entered in the
        // window (`open_database`); anything else that does not open stops here.
        let ecrf = match Ecrf::open(&db, key.as_deref(), Arc::new(SystemClock), config.clone()) {
            Ok(e) => Some(e),
            Err(e) if e.unreadable_database() && key.is_none() => None,
            Err(e) => return Err(e).with_context(|| format!("opening {}", db.display())),
        };
        Ok(AppState {
            inner: Mutex::new(Inner {
                ecrf,
                session: None,
                db,
                config,
            }),
        })
    }

    /// A state over an opened database (tests).
    #[cfg(test)]
    pub fn with_open(ecrf: Ecrf, db: PathBuf, config: Config) -> AppState {
        AppState {
            inner: Mutex::new(Inner {
                ecrf: Some(ecrf),
                session: None,
                db,
                config,
            }),
        }
    }

    /// The state, or `busy` while a long task (a bundle import or export, on a blocking thread)
    /// holds it: commands run on the window's main thread and must not wait for it.
    pub fn lock(&self) -> Result<MutexGuard<'_, Inner>> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::WouldBlock) => Err(AppError::new(
                "busy",
                "a sync bundle is being imported or exported; try again when it has finished",
            )),
            Err(TryLockError::Poisoned(_)) => Err(AppError::new(
                "internal",
                "the app's state was poisoned by an earlier failure; restart the app",
            )),
        }
    }
}

fn database_locked() -> AppError {
    AppError::new(
        "database_locked",
        "the database is encrypted: enter its passphrase",
    )
}

impl Inner {
    /// The session and the services, for a command that acts for the logged-in user.
    pub fn with_session(&mut self) -> Result<(&mut Ecrf, &mut Session)> {
        let ecrf = self.ecrf.as_mut().ok_or_else(database_locked)?;
        match self.session.as_mut() {
            Some(s) => Ok((ecrf, s)),
            None => Err(AppError::new("unauthenticated", "not logged in")),
        }
    }

    /// The services, for the commands that need no session (node, login).
    pub fn ecrf(&mut self) -> Result<&mut Ecrf> {
        self.ecrf.as_mut().ok_or_else(database_locked)
    }

    pub fn database_open(&self) -> bool {
        self.ecrf.is_some()
    }

    pub fn database_path(&self) -> &std::path::Path {
        &self.db
    }

    /// Opens the encrypted database with its passphrase. The passphrase is handed to SQLCipher
    /// and not kept.
    pub fn open_database(&mut self, passphrase: &str) -> Result<()> {
        if self.ecrf.is_some() {
            return Ok(());
        }
        match Ecrf::open(
            &self.db,
            Some(passphrase),
            Arc::new(SystemClock),
            self.config.clone(),
        ) {
            Ok(e) => {
                self.ecrf = Some(e);
                Ok(())
            }
            Err(e) if e.unreadable_database() => Err(AppError::new(
                "database_locked",
                "wrong passphrase: the database could not be opened with it",
            )),
            Err(e) => Err(e.into()),
        }
    }
}

fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("ecrf")
}
