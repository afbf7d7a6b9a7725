//! The app's own command-line arguments: `--data-dir DIR` (like the CLI) and
//! `--demo` (load the demo set from fixtures/ at start-up). Anything else is
//! left alone, so WebDriver's and the desktop's own arguments pass through.

use std::ffi::OsString;
use std::path::PathBuf;

/// What the app was started with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchArgs {
    /// `--data-dir DIR` or `--data-dir=DIR`; wins over `DOISOAT_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--demo`: load the demo dossiers and scans once the window is up.
    pub demo: bool,
}

impl LaunchArgs {
    /// Reads the arguments after the program name.
    pub fn parse<I: IntoIterator<Item = OsString>>(args: I) -> LaunchArgs {
        let mut out = LaunchArgs::default();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let text = arg.to_string_lossy();
            if text == "--demo" {
                out.demo = true;
            } else if text == "--data-dir" {
                if let Some(dir) = it.next() {
                    out.data_dir = Some(PathBuf::from(dir));
                }
            } else if let Some(dir) = text.strip_prefix("--data-dir=") {
                out.data_dir = Some(PathBuf::from(dir));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> LaunchArgs {
        LaunchArgs::parse(args.iter().map(OsString::from))
    }

    #[test]
    fn data_dir_in_both_spellings() {
        assert_eq!(
            parse(&["--data-dir", "/srv/hs"]).data_dir,
            Some(PathBuf::from("/srv/hs"))
        );
        assert_eq!(
            parse(&["--data-dir=/srv/hs 2"]).data_dir,
            Some(PathBuf::from("/srv/hs 2"))
        );
        assert_eq!(parse(&["--data-dir"]).data_dir, None);
    }

    #[test]
    fn demo_and_unknown_arguments() {
        let a = parse(&["--foo", "--demo", "bar"]);
        assert!(a.demo);
        assert_eq!(a.data_dir, None);
        assert_eq!(parse(&[]), LaunchArgs::default());
    }
}
