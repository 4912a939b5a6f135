use thiserror::Error;

#[derive(Debug, Error)]
pub enum PdfError {
    #[error("PDF layout: {0}")]
    Layout(String),
    #[error("font: {0}")]
    Font(String),
    #[error("signature: {0}")]
    Sign(String),
    #[error("not a signed PDF of this program: {0}")]
    Unsigned(String),
    #[error("the PDF is damaged: {0}")]
    Damaged(String),
}
