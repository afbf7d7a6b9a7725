//! Vietnamese text as it arrives: NFC or NFD, with or without diacritics.
//!
//! Search folds both the stored text and the query with [`fold`], so
//! "nguyen van duc" finds "Nguyễn Văn Đức". SQLite's FTS5
//! `remove_diacritics 2` would strip the combining marks but keeps đ/Đ,
//! which is a separate letter, so the folding is done here, once.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Normalises to NFC, the form doisoat stores and shows.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Lower-cases, strips diacritics and folds đ/Đ to d. The result is plain
/// ASCII for Vietnamese text, suitable for an index and for queries.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'đ' | 'ð' => 'd',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("HƯƠNG"), "huong");
        // NFD input folds the same as NFC input.
        let nfd: String = "Trần Thị Đào".nfd().collect();
        assert_eq!(fold(&nfd), fold("Trần Thị Đào"));
        assert_eq!(fold(&nfd), "tran thi dao");
    }

    #[test]
    fn nfc_composes() {
        let nfd: String = "Lê Văn Tám".nfd().collect();
        assert_ne!(nfd, "Lê Văn Tám");
        assert_eq!(nfc(&nfd), "Lê Văn Tám");
    }
}
