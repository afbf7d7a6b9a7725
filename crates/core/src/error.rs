//! The errors every front shows. Each has a stable `code` that scripts and
//! the UI branch on, and a message in Vietnamese or English that names the
//! file and the reason.

use std::path::{Path, PathBuf};

use serde::Serialize;

use doisoat_ingest::IngestError;
use doisoat_pages::PagesError;
use doisoat_store::StoreError;

/// The language of messages shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// `vi` unless the value starts with `en` (`en`, `en_US.UTF-8`, ...).
    pub fn parse(s: &str) -> Lang {
        if s.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }
}

/// What crosses to the user: a code to branch on and a message to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{}: {source}", path.display())]
    File { path: PathBuf, source: PagesError },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Db(#[from] doisoat_db::DbError),
    #[error("{}: {reason}", path.display())]
    BadImport { path: PathBuf, reason: String },
    #[error("{}: {count} rows are invalid; nothing was imported", path.display())]
    InvalidRows { path: PathBuf, count: usize },
    #[error("no dossier with code {0}")]
    DossierNotFound(String),
    #[error("no finding with id {0}")]
    FindingNotFound(i64),
    #[error("no page {page} in file {sha256}")]
    PageNotFound { sha256: String, page: u32 },
    #[error("{0}")]
    Compare(String),
    #[error("cancelled")]
    Cancelled,
    #[error("cannot use the data folder {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{user} ({role}) may not {action}; the attempt was recorded in the audit trail")]
    Forbidden {
        user: String,
        role: &'static str,
        action: &'static str,
    },
    #[error("this data folder has accounts: sign in with --user (or DOISOAT_USER) and DOISOAT_PASSWORD or DOISOAT_TOKEN")]
    SignInRequired,
    #[error("wrong account name or password for {0}")]
    BadCredentials(String),
    #[error("an account named {0} already exists")]
    UserExists(String),
    #[error("the bag was refused, nothing was written: {0}")]
    Bag(doisoat_archive::BagError),
    #[error("{0}")]
    Backup(doisoat_archive::BackupError),
    #[error("{0}")]
    Intake(doisoat_intake::IntakeError),
    #[error("no intake flag with id {0}")]
    FlagNotFound(i64),
    #[error("no linked copy with id {0}")]
    CopyNotFound(i64),
}

impl CoreError {
    pub fn file(path: &Path, source: PagesError) -> CoreError {
        CoreError::File {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn from_ingest(path: &Path, e: IngestError) -> CoreError {
        match e {
            IngestError::Pages(p) => CoreError::file(path, p),
            IngestError::Store(s) => CoreError::Store(s),
            IngestError::Db(d) => CoreError::Db(d),
            IngestError::Cancelled => CoreError::Cancelled,
        }
    }

    /// A stable, machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::File { source, .. } => source.code(),
            CoreError::Store(StoreError::Read { .. }) => "unreadable",
            CoreError::Store(StoreError::Write { .. }) => "store_write_failed",
            CoreError::Db(_) => "database",
            CoreError::BadImport { .. } => "bad_import",
            CoreError::InvalidRows { .. } => "invalid_rows",
            CoreError::DossierNotFound(_) => "dossier_not_found",
            CoreError::FindingNotFound(_) => "finding_not_found",
            CoreError::PageNotFound { .. } => "page_not_found",
            CoreError::Compare(_) => "compare_failed",
            CoreError::Cancelled => "cancelled",
            CoreError::DataDir { .. } => "data_dir",
            CoreError::InvalidArgument(_) => "invalid_argument",
            CoreError::Forbidden { .. } => "forbidden",
            CoreError::SignInRequired => "sign_in_required",
            CoreError::BadCredentials(_) => "bad_credentials",
            CoreError::UserExists(_) => "user_exists",
            CoreError::Bag(e) => e.code(),
            CoreError::Backup(e) => e.code(),
            CoreError::Intake(e) => intake_code(e),
            CoreError::FlagNotFound(_) => "flag_not_found",
            CoreError::CopyNotFound(_) => "copy_not_found",
        }
    }

    pub fn info(&self, lang: Lang) -> ErrorInfo {
        ErrorInfo {
            code: self.code().to_string(),
            message: self.message(lang),
        }
    }

    /// The message for a person, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            CoreError::File { path, source } => {
                format!("{}: {}", path.display(), pages_message_vi(source))
            }
            CoreError::Store(StoreError::Read { path, source }) => {
                format!("{}: không đọc được tệp ({source})", path.display())
            }
            CoreError::Store(StoreError::Write { path, source }) => {
                format!(
                    "Không ghi được vào kho lưu trữ tại {} ({source})",
                    path.display()
                )
            }
            CoreError::Db(e) => format!("Lỗi cơ sở dữ liệu: {e}"),
            CoreError::BadImport { path, reason } => {
                format!("{}: tệp nhập không hợp lệ ({reason})", path.display())
            }
            CoreError::InvalidRows { path, count } => {
                format!(
                    "{}: có {count} dòng không hợp lệ; chưa nhập gì",
                    path.display()
                )
            }
            CoreError::DossierNotFound(code) => format!("Không tìm thấy hồ sơ có mã {code}"),
            CoreError::FindingNotFound(id) => format!("Không tìm thấy phát hiện số {id}"),
            CoreError::PageNotFound { sha256, page } => {
                format!("Không có trang {page} trong tệp {sha256}")
            }
            CoreError::Compare(m) => format!("Không so sánh được: {m}"),
            CoreError::Cancelled => "Đã hủy".to_string(),
            CoreError::DataDir { path, source } => {
                format!(
                    "Không dùng được thư mục dữ liệu {} ({source})",
                    path.display()
                )
            }
            CoreError::InvalidArgument(m) => format!("Tham số không hợp lệ: {m}"),
            CoreError::Forbidden { user, role, action } => format!(
                "{user} ({}) không được phép {}; lần thử này đã được ghi vào nhật ký kiểm toán",
                role_vi(role),
                action_vi(action)
            ),
            CoreError::SignInRequired => {
                "Thư mục dữ liệu này có tài khoản: hãy đăng nhập bằng --user (hoặc DOISOAT_USER) \
                 và DOISOAT_PASSWORD hoặc DOISOAT_TOKEN"
                    .to_string()
            }
            CoreError::BadCredentials(u) => format!("Sai tên tài khoản hoặc mật khẩu cho {u}"),
            CoreError::UserExists(u) => format!("Đã có tài khoản tên {u}"),
            CoreError::Bag(e) => {
                format!("Gói BagIt bị từ chối, chưa ghi gì: {}", bag_message_vi(e))
            }
            CoreError::Backup(e) => format!("Sao lưu/phục hồi không thành công: {e}"),
            CoreError::Intake(e) => intake_message_vi(e),
            CoreError::FlagNotFound(id) => format!("Không có cờ tiếp nhận số {id}"),
            CoreError::CopyNotFound(id) => format!("Không có liên kết tệp số {id}"),
        }
    }
}

fn intake_code(e: &doisoat_intake::IntakeError) -> &'static str {
    use doisoat_intake::IntakeError as I;
    match e {
        I::Invalid(_) => "invalid_argument",
        I::Io { .. } => "unreadable",
        I::Watch(_) => "watch_failed",
        I::Scanner(_) => "scanner",
        I::NoScanner => "no_scanner",
    }
}

fn intake_message_vi(e: &doisoat_intake::IntakeError) -> String {
    use doisoat_intake::IntakeError as I;
    match e {
        I::Invalid(m) => format!("Tham số không hợp lệ: {m}"),
        I::Io { path, source } => format!("{}: không đọc được ({source})", path.display()),
        I::Watch(m) => format!("Không theo dõi được thư mục: {m}"),
        I::Scanner(m) => format!("Máy quét: {m}"),
        I::NoScanner => "Bản dựng này không có chức năng quét (thiếu tính năng `sane`)".into(),
    }
}

fn role_vi(role: &str) -> &'static str {
    match role {
        "clerk" => "cán bộ tiếp nhận",
        "archivist" => "văn thư lưu trữ",
        "supervisor" => "lãnh đạo",
        _ => "quản trị viên",
    }
}

fn action_vi(action: &str) -> &'static str {
    match action {
        "ingest" => "lưu bản quét",
        "import" => "nhập danh sách hồ sơ",
        "reconcile" => "đối soát",
        "unlink" => "gỡ tệp khỏi hồ sơ",
        "resolve" => "xử lý phát hiện",
        "export" => "xuất gói hồ sơ",
        "bag_import" => "nhập gói hồ sơ",
        "verify" => "kiểm tra toàn vẹn kho",
        "audit_verify" => "kiểm tra nhật ký",
        "user_add" => "quản lý tài khoản",
        "backup" => "sao lưu",
        _ => "thay đổi cài đặt",
    }
}

/// The Vietnamese wording of why a bag was refused.
fn bag_message_vi(e: &doisoat_archive::BagError) -> String {
    use doisoat_archive::BagError as B;
    match e {
        B::Io { path, source } => format!("không đọc/ghi được {} ({source})", path.display()),
        B::NotABag(m) => format!("không phải gói BagIt ({m})"),
        B::UnsafePath(p) => format!("đường dẫn không an toàn: {p}"),
        B::Link(p) => format!("gói chứa liên kết (symlink), không được phép: {p}"),
        B::SpecialFile(p) => format!("gói chứa mục không phải tệp hay thư mục: {p}"),
        B::NotInManifest { path, manifest } => {
            format!("{path} có trong gói nhưng không có trong {manifest}")
        }
        B::MissingFile { path, manifest } => {
            format!("{path} có trong {manifest} nhưng thiếu trong gói")
        }
        B::WrongHash { path, algorithm } => format!("{path} sai mã băm {algorithm}"),
        B::Oxum { declared, actual } => {
            format!("Payload-Oxum khai báo {declared} nhưng thực tế là {actual}")
        }
        B::Corrupt(m) => format!("tệp nén bị hỏng hoặc bị cắt cụt ({m})"),
        B::Unsupported(m) => format!("không hỗ trợ: {m}"),
        B::Exists(p) => format!("{} đã tồn tại và không rỗng", p.display()),
    }
}

/// The Vietnamese wording of why a file cannot be read as pages.
pub fn pages_message_vi(e: &PagesError) -> String {
    match e {
        PagesError::Io(io) => format!("không đọc được tệp ({io})"),
        PagesError::Empty => "tệp rỗng (0 byte)".into(),
        PagesError::Unsupported => "không phải PDF, JPEG, PNG hay TIFF".into(),
        PagesError::WrongExtension { extension, actual } => {
            format!("phần mở rộng là .{extension} nhưng nội dung là {actual}")
        }
        PagesError::Encrypted => "PDF được mã hóa hoặc có mật khẩu".into(),
        PagesError::Corrupt { reason } => format!("tệp bị hỏng ({reason})"),
        PagesError::Truncated { format } => {
            format!("tệp bị cắt cụt: dữ liệu {format} dừng trước khi hết")
        }
        PagesError::TooLarge { width, height } if *width > 0 => {
            format!("ảnh quá lớn để mở an toàn ({width} × {height} điểm ảnh)")
        }
        PagesError::TooLarge { .. } => "ảnh quá lớn để mở an toàn".into(),
        PagesError::NoPages => "PDF không có trang nào".into(),
        PagesError::NoSuchPage { index, count } => {
            format!("không có trang {} (tệp có {count} trang)", index + 1)
        }
        PagesError::Renderer(m) => format!("không có PDFium để hiển thị trang ({m})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_reason_in_both_languages() {
        let e = CoreError::file(Path::new("hồ sơ/scan.pdf"), PagesError::Encrypted);
        assert_eq!(e.code(), "pdf_encrypted");
        assert_eq!(
            e.message(Lang::Vi),
            "hồ sơ/scan.pdf: PDF được mã hóa hoặc có mật khẩu"
        );
        assert_eq!(
            e.message(Lang::En),
            "hồ sơ/scan.pdf: the PDF is encrypted or password-protected"
        );
        assert_eq!(Lang::parse("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::parse("vi_VN"), Lang::Vi);
    }
}
