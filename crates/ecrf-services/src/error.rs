use ecrf_core::validate::Finding;
use thiserror::Error;

/// Every way a use case can refuse. Shells map [`ServiceError::code`] to what they show
/// (`{code, message}` in the UI) and [`ServiceError::exit_code`] to the CLI's exit status.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The input breaks a rule of the study definition.
    #[error("{message}")]
    Validation {
        message: String,
        findings: Vec<Finding>,
    },
    #[error("a reason for change is required: this form is marked complete")]
    ReasonRequired,
    #[error("{0}")]
    InvalidInput(String),
    #[error("wrong username or password")]
    BadCredentials,
    #[error(
        "account {0} is locked after repeated failed passwords; an administrator must unlock it"
    )]
    AccountLocked(String),
    #[error("account {0} is deactivated")]
    AccountInactive(String),
    #[error("not logged in")]
    Unauthenticated,
    #[error("the session locked itself after inactivity: enter the password again")]
    SessionLocked,
    #[error("{role} may not {action}")]
    Forbidden { role: String, action: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("integrity check failed: {0}")]
    Integrity(String),
    #[error(transparent)]
    Store(#[from] ecrf_store::StoreError),
    #[error(transparent)]
    Core(#[from] ecrf_core::CoreError),
    /// The data are locked (form, event, subject or study).
    #[error("{0}")]
    Locked(String),
    /// A bundle refused on import; nothing was changed.
    #[error("bundle refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Io(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A stable code for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Validation { .. } => "validation",
            ServiceError::ReasonRequired => "reason_required",
            ServiceError::InvalidInput(_) | ServiceError::Core(_) => "invalid_input",
            ServiceError::BadCredentials
            | ServiceError::AccountLocked(_)
            | ServiceError::AccountInactive(_)
            | ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::SessionLocked => "session_locked",
            ServiceError::Forbidden { .. } => "forbidden",
            ServiceError::NotFound(_) => "not_found",
            ServiceError::Exists(_) => "exists",
            ServiceError::Integrity(_) => "integrity",
            ServiceError::Refused(_) => "refused",
            ServiceError::Locked(_) => "locked",
            ServiceError::Store(_) | ServiceError::Io(_) => "io",
            ServiceError::Internal(_) => "internal",
        }
    }

    /// The CLI's exit status: 1 refused by validation; 2 usage, authentication,
    /// authorisation or IO; 3 integrity failure; 4 a bundle refused.
    pub fn exit_code(&self) -> i32 {
        match self {
            ServiceError::Validation { .. } | ServiceError::ReasonRequired => 1,
            ServiceError::Integrity(_) => 3,
            ServiceError::Refused(_) => 4,
            _ => 2,
        }
    }

    /// The file could not be read as a database: encrypted (a key is missing or wrong) or not
    /// an eCRF database at all.
    pub fn unreadable_database(&self) -> bool {
        matches!(
            self,
            ServiceError::Store(ecrf_store::StoreError::NotADatabase(_))
        )
    }

    pub fn findings(&self) -> &[Finding] {
        match self {
            ServiceError::Validation { findings, .. } => findings,
            _ => &[],
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
