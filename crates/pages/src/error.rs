//! Why a file could not be turned into pages. Each variant carries what a
//! person needs to understand the problem; the caller adds the file name.

use crate::SourceKind;

#[derive(Debug, thiserror::Error)]
pub enum PagesError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("the file is not a PDF, JPEG, PNG or TIFF")]
    Unsupported,
    #[error("the file name says .{extension} but the content is {actual}")]
    WrongExtension {
        extension: String,
        actual: SourceKind,
    },
    #[error("the PDF is encrypted or password-protected")]
    Encrypted,
    #[error("the file is damaged: {reason}")]
    Corrupt { reason: String },
    #[error("the file is truncated: its {format} data stops before the end")]
    Truncated { format: SourceKind },
    #[error("the image is too large to open safely ({width} × {height} px)")]
    TooLarge { width: u64, height: u64 },
    #[error("the PDF has no pages")]
    NoPages,
    #[error("page {index} does not exist (the file has {count})")]
    NoSuchPage { index: usize, count: usize },
    #[error("PDFium is not available to render this page: {0}")]
    Renderer(String),
}

impl PagesError {
    /// A stable, machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            PagesError::Io(_) => "unreadable",
            PagesError::Empty => "empty_file",
            PagesError::Unsupported => "unsupported_format",
            PagesError::WrongExtension { .. } => "wrong_extension",
            PagesError::Encrypted => "pdf_encrypted",
            PagesError::Corrupt { .. } => "corrupt",
            PagesError::Truncated { .. } => "truncated",
            PagesError::TooLarge { .. } => "image_too_large",
            PagesError::NoPages => "no_pages",
            PagesError::NoSuchPage { .. } => "no_such_page",
            PagesError::Renderer(_) => "renderer_unavailable",
        }
    }
}

impl From<image::ImageError> for PagesError {
    fn from(e: image::ImageError) -> Self {
        match e {
            image::ImageError::Limits(_) => PagesError::TooLarge {
                width: 0,
                height: 0,
            },
            image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                PagesError::Corrupt {
                    reason: "the image data ends too early".into(),
                }
            }
            image::ImageError::IoError(io) => PagesError::Io(io),
            other => PagesError::Corrupt {
                reason: other.to_string(),
            },
        }
    }
}
