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

/// Whether a word's tone can be Vietnamese: at most one tone mark, a
/// syllable closed by p, t, c or ch carries the acute or the dot below
/// (sắc, nặng) and no other, and no f, j, w or z. Tesseract's slips on a
/// scan often break this ("câp" for "cấp", "FÓC" for a cut "QUỐC"); real
/// Vietnamese text does not. Punctuation at either end is ignored; a word
/// with a digit, or none of these faults, passes (abbreviations such as
/// "UBND" included).
pub fn plausible_tone(word: &str) -> bool {
    // A combining mark at the end (an NFD word) is not punctuation.
    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && !is_combining_mark(c));
    if word.chars().any(|c| c.is_ascii_digit()) {
        return true;
    }
    const ACUTE: char = '\u{301}';
    const DOT_BELOW: char = '\u{323}';
    let tones: Vec<char> = word
        .nfd()
        .filter(|c| matches!(*c, '\u{300}' | ACUTE | '\u{303}' | '\u{309}' | DOT_BELOW))
        .collect();
    let letters = fold(word);
    if tones.len() > 1 || letters.contains(['f', 'j', 'w', 'z']) {
        return false;
    }
    let vowel = |c: char| "aeiouy".contains(c);
    let closed = ["ch", "p", "t", "c"].iter().any(|end| {
        letters
            .strip_suffix(end)
            .and_then(|rest| rest.chars().last())
            .is_some_and(vowel)
    });
    !closed || matches!(tones.first(), Some(&ACUTE | &DOT_BELOW))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_that_vietnamese_allows() {
        for w in [
            "cấp:",
            "Đất",
            "học",
            "sách",
            "Quý",
            "quyền",
            "Tần,",
            "đồng",
            "UBND",
            "TP.",
            "HĐND",
            "17/12/2026",
            "Nguyễn",
            "a",
            "",
        ] {
            assert!(plausible_tone(w), "{w}");
        }
        // NFD reads the same.
        assert!(plausible_tone(&"Đất".nfd().collect::<String>()));
        assert!(!plausible_tone(&"Quỵ́".nfd().collect::<String>()));
        for w in ["câp", "cầp:", "Đẫt", "hoc", "sảch", "FÓC", "Wí", "ấ̀n"] {
            assert!(!plausible_tone(w), "{w}");
        }
    }

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
