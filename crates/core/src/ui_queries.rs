//! Queries only the desktop UI needs (added by the desktop shell's owner).
//! Each is a small read over the database behind [`Office`].

use doisoat_db::DbError;

use crate::{Office, Result};

impl Office {
    /// The distinct portal statuses present among the dossiers, sorted, for
    /// the list's status filter. Empty and missing statuses are left out.
    pub fn dossier_statuses(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT DISTINCT status FROM dossiers WHERE status IS NOT NULL AND status <> '' ORDER BY status")
            .map_err(DbError::from)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(DbError::from)?;
        let statuses = rows
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(DbError::from)?;
        Ok(statuses)
    }
}

#[cfg(test)]
mod tests {
    use crate::{ImportOptions, Job, Office};

    #[test]
    fn statuses_are_distinct_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let office = Office::open(&dir.path().join("data")).unwrap();
        assert!(office.dossier_statuses().unwrap().is_empty());
        let csv = dir.path().join("export.csv");
        std::fs::write(
            &csv,
            "MaHoSo,TrangThai\n\
             000.00.38.H38-221125-0001,Đang xử lý\n\
             000.00.38.H38-221125-0002,Đã trả kết quả\n\
             000.00.38.H38-221125-0003,Đang xử lý\n\
             000.00.38.H38-221125-0004,\n",
        )
        .unwrap();
        office
            .import(&csv, &ImportOptions { skip_invalid: true }, &Job::quiet())
            .unwrap();
        assert_eq!(
            office.dossier_statuses().unwrap(),
            vec!["Đang xử lý".to_string(), "Đã trả kết quả".to_string()]
        );
    }
}
