use ecrf_core::validate::Finding;
use ecrf_services::ServiceError;
use serde::Serialize;

/// The one error the UI sees: a stable code, plain words, and for validation the findings.
#[derive(Debug, Serialize)]
pub struct AppError {
    pub code: &'static str,
    pub message: String,
    pub findings: Vec<Finding>,
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        AppError {
            code: e.code(),
            message: e.to_string(),
            findings: e.findings().to_vec(),
        }
    }
}

impl AppError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            findings: vec![],
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
