//! Scanning a batch from a scanner. On Linux this goes through SANE
//! (feature `sane`, on by default in the CLI and the app): local USB
//! scanners, and driverless network scanners through Debian's
//! `sane-airscan` backend. Without the feature everything here compiles and
//! answers [`IntakeError::NoScanner`]; TWAIN/WIA drivers for Windows would
//! sit beside the SANE module, behind their own feature (see ARCHITECTURE.md).
//!
//! Pages stream to a callback as they arrive (a live counter, a cancel
//! button); [`Batch`] holds them and lets the clerk rescan a page or insert
//! one mid-batch. A device that fails or disappears mid-batch keeps every
//! page scanned before the failure: the outcome says why it stopped.

use image::DynamicImage;
use serde::{Deserialize, Serialize};

use crate::pdfout::{image_pdf, JpegPage};
use crate::IntakeError;

/// A scanner SANE can see.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScanDevice {
    pub name: String,
    pub vendor: String,
    pub model: String,
    pub kind: String,
}

/// Where the paper is fed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The glass.
    #[default]
    Flatbed,
    /// The document feeder, one side.
    Adf,
    /// The document feeder, both sides.
    Duplex,
}

impl Source {
    pub fn parse(s: &str) -> Option<Source> {
        match s.trim().to_ascii_lowercase().as_str() {
            "flatbed" | "glass" | "kinh" => Some(Source::Flatbed),
            "adf" | "feeder" => Some(Source::Adf),
            "duplex" => Some(Source::Duplex),
            _ => None,
        }
    }

    /// Whether a device's own source name means this source.
    #[cfg(feature = "sane")]
    fn matches(self, name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        let duplex = n.contains("duplex");
        match self {
            Source::Flatbed => n.contains("flatbed") || n.contains("glass") || n == "normal",
            Source::Adf => !duplex && (n.contains("feeder") || n.contains("adf")),
            Source::Duplex => duplex,
        }
    }
}

/// Colour mode of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ColourMode {
    #[default]
    Colour,
    Grey,
}

impl ColourMode {
    pub fn parse(s: &str) -> Option<ColourMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "color" | "colour" | "mau" | "màu" => Some(ColourMode::Colour),
            "gray" | "grey" | "xam" | "xám" => Some(ColourMode::Grey),
            _ => None,
        }
    }

    #[cfg(feature = "sane")]
    fn sane_name(self) -> &'static str {
        match self {
            ColourMode::Colour => "Color",
            ColourMode::Grey => "Gray",
        }
    }
}

/// How to scan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScanSettings {
    pub source: Source,
    /// 200 or 300.
    pub dpi: u32,
    pub mode: ColourMode,
    /// Stop after this many pages (the glass gives one page per batch anyway).
    pub max_pages: Option<u32>,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            source: Source::Flatbed,
            dpi: 200,
            mode: ColourMode::Colour,
            max_pages: None,
        }
    }
}

impl ScanSettings {
    pub fn check(&self) -> Result<(), IntakeError> {
        if self.dpi != 200 && self.dpi != 300 {
            return Err(IntakeError::Invalid(format!(
                "resolution must be 200 or 300 dpi, not {}",
                self.dpi
            )));
        }
        Ok(())
    }
}

/// One scanned page, kept as the JPEG it will be stored as: encoded once
/// when it arrives, so a batch on the desk holds ~1 MB per A4 page at
/// 300 dpi in colour instead of its 26 MB of pixels.
#[derive(Debug, Clone)]
pub struct ScannedPage {
    pub jpeg: JpegPage,
}

/// The JPEG quality scanned pages are kept and stored at.
pub const SCAN_JPEG_QUALITY: u8 = 90;

impl ScannedPage {
    /// Encodes a page the scanner gave (a page whose channels agree is
    /// kept grey).
    pub fn from_image(image: &DynamicImage, dpi: f32) -> ScannedPage {
        let jpeg = match image {
            DynamicImage::ImageLuma8(g) => JpegPage::from_gray(g, dpi, SCAN_JPEG_QUALITY),
            other => JpegPage::from_rgb(&other.to_rgb8(), dpi, SCAN_JPEG_QUALITY),
        };
        ScannedPage { jpeg }
    }

    pub fn dpi(&self) -> f32 {
        self.jpeg.dpi
    }

    pub fn dimensions(&self) -> (u32, u32) {
        (self.jpeg.width, self.jpeg.height)
    }

    /// The page's pixels again (for a thumbnail).
    pub fn decode(&self) -> Result<DynamicImage, IntakeError> {
        image::load_from_memory_with_format(&self.jpeg.jpeg, image::ImageFormat::Jpeg)
            .map_err(|e| IntakeError::Invalid(format!("scanned page does not decode: {e}")))
    }
}

/// What the page callback wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The clerk cancelled: stop, keep what was scanned.
    Stop,
}

/// Why a batch ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stopped {
    /// The feeder ran empty, or the glass gave its page, or `max_pages` was reached.
    Finished,
    Cancelled,
    /// The device failed or went away; the pages before it are kept.
    DeviceLost {
        reason: String,
    },
}

/// A batch being scanned: pages in order, with rescan and insert.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub pages: Vec<ScannedPage>,
}

impl Batch {
    /// Puts a rescanned page in place of page `index` (0-based).
    pub fn replace(&mut self, index: usize, page: ScannedPage) -> Result<(), IntakeError> {
        let slot = self
            .pages
            .get_mut(index)
            .ok_or_else(|| IntakeError::Invalid(format!("no page {} to rescan", index + 1)))?;
        *slot = page;
        Ok(())
    }

    /// Inserts a page before page `index` (0-based; `len` appends).
    pub fn insert(&mut self, index: usize, page: ScannedPage) -> Result<(), IntakeError> {
        if index > self.pages.len() {
            return Err(IntakeError::Invalid(format!(
                "cannot insert at page {}: the batch has {} pages",
                index + 1,
                self.pages.len()
            )));
        }
        self.pages.insert(index, page);
        Ok(())
    }

    /// The batch as a PDF of its JPEG pages (no re-encoding).
    pub fn to_pdf(&self) -> Vec<u8> {
        let pages: Vec<JpegPage> = self.pages.iter().map(|p| p.jpeg.clone()).collect();
        image_pdf(&pages)
    }
}

/// Turns raw SANE frame bytes into an image.
#[cfg(feature = "sane")]
fn frame_to_image(
    data: &[u8],
    rgb: bool,
    depth: u32,
    ppl: u32,
    bpl: usize,
) -> Result<DynamicImage, IntakeError> {
    if bpl == 0 || ppl == 0 {
        return Err(IntakeError::Scanner(
            "the scanner sent an empty page".into(),
        ));
    }
    let lines = (data.len() / bpl) as u32;
    if lines == 0 {
        return Err(IntakeError::Scanner(
            "the scanner sent an empty page".into(),
        ));
    }
    let sample = |line: &[u8], i: usize| -> u8 {
        match depth {
            16 => line[i * 2 + 1],
            1 => {
                if line[i / 8] & (0x80 >> (i % 8)) != 0 {
                    0
                } else {
                    255
                }
            }
            _ => line[i],
        }
    };
    if rgb {
        let mut img = image::RgbImage::new(ppl, lines);
        for y in 0..lines {
            let line = &data[y as usize * bpl..(y as usize + 1) * bpl];
            for x in 0..ppl {
                let i = x as usize * 3;
                img.put_pixel(
                    x,
                    y,
                    image::Rgb([sample(line, i), sample(line, i + 1), sample(line, i + 2)]),
                );
            }
        }
        Ok(DynamicImage::ImageRgb8(img))
    } else {
        let mut img = image::GrayImage::new(ppl, lines);
        for y in 0..lines {
            let line = &data[y as usize * bpl..(y as usize + 1) * bpl];
            for x in 0..ppl {
                img.put_pixel(x, y, image::Luma([sample(line, x as usize)]));
            }
        }
        Ok(DynamicImage::ImageLuma8(img))
    }
}

#[cfg(feature = "sane")]
mod sane {
    //! The SANE binding (libsane through the `sane-scan` crate).

    use std::ffi::CString;

    use sane_scan::{DeviceHandle, DeviceOption, DeviceOptionValue, Frame, Sane, ValueType};

    use super::*;

    pub fn list_devices() -> Result<Vec<ScanDevice>, IntakeError> {
        let sane = Sane::init_1_0().map_err(err)?;
        let devices = sane.get_devices().map_err(err)?;
        Ok(devices
            .iter()
            .map(|d| ScanDevice {
                name: d.name.to_string_lossy().into_owned(),
                vendor: d.vendor.to_string_lossy().into_owned(),
                model: d.model.to_string_lossy().into_owned(),
                kind: d.type_.to_string_lossy().into_owned(),
            })
            .collect())
    }

    fn err(e: sane_scan::Error) -> IntakeError {
        IntakeError::Scanner(e.to_string())
    }

    /// An open scanner.
    pub struct Scanner {
        // Dropped in field order: the handle closes before SANE exits.
        handle: DeviceHandle,
        options: Vec<DeviceOption>,
        dpi: f32,
        settings: ScanSettings,
        _sane: Sane,
    }

    /// Options of the open device, settable between pages.
    pub struct DeviceOptions<'a> {
        handle: &'a DeviceHandle,
        options: &'a [DeviceOption],
    }

    impl DeviceOptions<'_> {
        /// Sets a string option by its SANE name (e.g. `source`, `mode`).
        pub fn set_str(&self, name: &str, value: &str) -> Result<(), IntakeError> {
            let opt = find(self.options, name)?;
            let v = CString::new(value)
                .map_err(|_| IntakeError::Invalid(format!("bad value for {name}")))?;
            self.handle
                .set_option(opt, DeviceOptionValue::String(v))
                .map(|_| ())
                .map_err(|e| IntakeError::Scanner(format!("{name}={value}: {e}")))
        }
    }

    fn find<'a>(options: &'a [DeviceOption], name: &str) -> Result<&'a DeviceOption, IntakeError> {
        options
            .iter()
            .find(|o| o.name.to_bytes() == name.as_bytes())
            .ok_or_else(|| IntakeError::Scanner(format!("the scanner has no option '{name}'")))
    }

    fn string_choices(opt: &DeviceOption) -> Vec<String> {
        match &opt.constraint {
            sane_scan::OptionConstraint::StringList(l) => {
                l.iter().map(|s| s.to_string_lossy().into_owned()).collect()
            }
            _ => Vec::new(),
        }
    }

    impl Scanner {
        /// Opens the device `name` and applies the settings.
        pub fn open(name: &str, settings: &ScanSettings) -> Result<Scanner, IntakeError> {
            settings.check()?;
            let sane = Sane::init_1_0().map_err(err)?;
            let devices = sane.get_devices().map_err(err)?;
            let device = devices
                .iter()
                .find(|d| d.name.to_bytes() == name.as_bytes())
                .ok_or_else(|| {
                    let names: Vec<_> = devices
                        .iter()
                        .map(|d| d.name.to_string_lossy().into_owned())
                        .collect();
                    IntakeError::Scanner(format!(
                        "no scanner named '{name}' (found: {})",
                        if names.is_empty() {
                            "none".into()
                        } else {
                            names.join(", ")
                        }
                    ))
                })?;
            let handle = device.open().map_err(err)?;
            let options = handle.get_options().map_err(err)?;
            let mut s = Scanner {
                handle,
                options,
                dpi: settings.dpi as f32,
                settings: settings.clone(),
                _sane: sane,
            };
            s.apply()?;
            Ok(s)
        }

        fn apply(&mut self) -> Result<(), IntakeError> {
            let opts = DeviceOptions {
                handle: &self.handle,
                options: &self.options,
            };
            if let Ok(src) = find(&self.options, "source") {
                let choices = string_choices(src);
                let pick = choices
                    .iter()
                    .find(|c| self.settings.source.matches(c))
                    .ok_or_else(|| {
                        IntakeError::Scanner(format!(
                            "the scanner has no {:?} source (it has: {})",
                            self.settings.source,
                            choices.join(", ")
                        ))
                    })?;
                opts.set_str("source", pick)?;
            } else if self.settings.source != Source::Flatbed {
                return Err(IntakeError::Scanner(
                    "the scanner has no document feeder".into(),
                ));
            }
            if find(&self.options, "mode").is_ok() {
                opts.set_str("mode", self.settings.mode.sane_name())?;
            }
            // Setting the source or mode may reload the option list.
            self.options = self.handle.get_options().map_err(err)?;
            let res = find(&self.options, "resolution")?;
            // Some backends take the resolution as SANE_Fixed (16.16), others as an Int.
            let value = match res.type_ {
                ValueType::Fixed => DeviceOptionValue::Fixed((self.settings.dpi as i32) << 16),
                _ => DeviceOptionValue::Int(self.settings.dpi as i32),
            };
            self.handle
                .set_option(res, value)
                .map_err(|e| IntakeError::Scanner(format!("resolution: {e}")))?;
            self.dpi = self.settings.dpi as f32;
            // Options may have been reloaded by the changes above.
            self.options = self.handle.get_options().map_err(err)?;
            Ok(())
        }

        /// The device's options, e.g. to set a backend-specific one.
        pub fn options(&self) -> DeviceOptions<'_> {
            DeviceOptions {
                handle: &self.handle,
                options: &self.options,
            }
        }

        /// Scans one page (a rescan, or a page to insert).
        pub fn scan_one(&mut self) -> Result<Option<ScannedPage>, IntakeError> {
            let params = match self.handle.start_scan() {
                Ok(p) => p,
                Err(sane_scan::Error(sane_scan::Status::NoDocs)) => return Ok(None),
                Err(e) => return Err(err(e)),
            };
            let rgb = matches!(params.format, Frame::Rgb);
            let mut data = Vec::new();
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                match self.handle.read(&mut buf) {
                    Ok(Some(n)) => data.extend_from_slice(&buf[..n]),
                    Ok(None) => break,
                    Err(e) => return Err(err(e)),
                }
            }
            let image = frame_to_image(
                &data,
                rgb,
                params.depth as u32,
                params.pixels_per_line as u32,
                params.bytes_per_line as usize,
            )?;
            Ok(Some(ScannedPage::from_image(&image, self.dpi)))
        }

        /// Scans until the feeder is empty (one page from the glass), the
        /// callback says stop, or the device fails. `on_page` gets each page,
        /// its 1-based number and the device's options.
        pub fn scan_batch(
            &mut self,
            batch: &mut Batch,
            on_page: &mut dyn FnMut(&ScannedPage, u32, &DeviceOptions<'_>) -> Flow,
        ) -> Stopped {
            let mut n = 0u32;
            loop {
                if self.settings.max_pages.is_some_and(|m| n >= m) {
                    return Stopped::Finished;
                }
                match self.scan_one() {
                    Ok(Some(page)) => {
                        n += 1;
                        let flow = on_page(&page, n, &self.options());
                        batch.pages.push(page);
                        if flow == Flow::Stop {
                            return Stopped::Cancelled;
                        }
                        if self.settings.source == Source::Flatbed {
                            return Stopped::Finished;
                        }
                    }
                    Ok(None) => return Stopped::Finished,
                    Err(e) => {
                        tracing::warn!(error = %e, pages = n, "scanner stopped mid-batch");
                        return Stopped::DeviceLost {
                            reason: e.to_string(),
                        };
                    }
                }
            }
        }
    }
}

#[cfg(feature = "sane")]
pub use sane::{list_devices, DeviceOptions, Scanner};

#[cfg(not(feature = "sane"))]
mod none {
    //! Builds without a scanner driver: everything answers `NoScanner`.
    use super::*;

    pub fn list_devices() -> Result<Vec<ScanDevice>, IntakeError> {
        Err(IntakeError::NoScanner)
    }

    /// Options of a device (none in this build).
    pub struct DeviceOptions<'a>(std::marker::PhantomData<&'a ()>);

    impl DeviceOptions<'_> {
        pub fn set_str(&self, _name: &str, _value: &str) -> Result<(), IntakeError> {
            Err(IntakeError::NoScanner)
        }
    }

    /// A scanner (none in this build).
    pub struct Scanner(());

    impl Scanner {
        pub fn open(_name: &str, _settings: &ScanSettings) -> Result<Scanner, IntakeError> {
            Err(IntakeError::NoScanner)
        }

        pub fn scan_one(&mut self) -> Result<Option<ScannedPage>, IntakeError> {
            Err(IntakeError::NoScanner)
        }

        pub fn scan_batch(
            &mut self,
            _batch: &mut Batch,
            _on_page: &mut dyn FnMut(&ScannedPage, u32, &DeviceOptions<'_>) -> Flow,
        ) -> Stopped {
            Stopped::DeviceLost {
                reason: IntakeError::NoScanner.to_string(),
            }
        }
    }
}

#[cfg(not(feature = "sane"))]
pub use none::{list_devices, DeviceOptions, Scanner};

#[cfg(all(test, feature = "sane"))]
mod tests {
    //! These scan through SANE's `test` backend: a real SANE device, enabled
    //! by pointing SANE_CONFIG_DIR at tests/sane (its dll.conf lists `test`).
    use super::*;

    fn use_test_backend() {
        let dir =
            std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
                .join("../../tests/sane");
        // SANE reads this at init; the trailing ':' keeps the default folders too.
        std::env::set_var("SANE_CONFIG_DIR", format!("{}:", dir.display()));
    }

    /// SANE is one library-wide state: tests that use it take turns.
    static SANE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn feeder_batch_streams_pages_then_a_lost_device_keeps_them() {
        let _g = SANE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        use_test_backend();
        let devices = list_devices().unwrap();
        assert!(devices.iter().any(|d| d.name == "test:0"), "{devices:?}");
        let settings = ScanSettings {
            source: Source::Adf,
            dpi: 200,
            mode: ColourMode::Colour,
            max_pages: None,
        };
        let mut s = Scanner::open("test:0", &settings).unwrap();
        let mut batch = Batch::default();
        let mut counter = Vec::new();
        let stopped = s.scan_batch(&mut batch, &mut |page, n, opts| {
            counter.push(n);
            assert!(matches!(
                page.decode().unwrap(),
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageLuma8(_)
            ));
            if n == 3 {
                // The device fails from now on, as when its cable is pulled.
                opts.set_str("read-return-value", "SANE_STATUS_IO_ERROR")
                    .unwrap();
            }
            Flow::Continue
        });
        assert!(matches!(stopped, Stopped::DeviceLost { .. }), "{stopped:?}");
        assert_eq!(counter, vec![1, 2, 3]);
        assert_eq!(batch.pages.len(), 3);
        // 80 mm at 200 dpi: the test backend's default scan width.
        let (w, h) = batch.pages[0].dimensions();
        assert!((625..=631).contains(&w), "width {w}");
        assert_eq!(batch.pages[0].dpi(), 200.0);
        let decoded = batch.pages[0].decode().unwrap();
        assert_eq!((decoded.width(), decoded.height()), (w, h));
    }

    #[test]
    fn cancel_rescan_and_insert() {
        let _g = SANE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        use_test_backend();
        let settings = ScanSettings {
            source: Source::Adf,
            dpi: 300,
            mode: ColourMode::Grey,
            max_pages: None,
        };
        let mut s = Scanner::open("test:0", &settings).unwrap();
        let mut batch = Batch::default();
        let stopped = s.scan_batch(&mut batch, &mut |_, n, _| {
            if n == 2 {
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        assert_eq!(stopped, Stopped::Cancelled);
        assert_eq!(batch.pages.len(), 2);
        assert!(batch.pages[0].jpeg.grey, "a grey scan is kept grey");
        let page = s.scan_one().unwrap().unwrap();
        batch.insert(1, page).unwrap();
        let again = s.scan_one().unwrap().unwrap();
        batch.replace(0, again).unwrap();
        assert_eq!(batch.pages.len(), 3);
        assert!(batch.replace(7, batch.pages[0].clone()).is_err());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch.pdf");
        std::fs::write(&path, batch.to_pdf()).unwrap();
        assert_eq!(doisoat_pages::open(&path).unwrap().page_count(), 3);
    }

    #[test]
    fn bad_settings_are_refused() {
        let _g = SANE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        use_test_backend();
        let bad = ScanSettings {
            dpi: 150,
            ..Default::default()
        };
        assert!(matches!(
            Scanner::open("test:0", &bad),
            Err(IntakeError::Invalid(_))
        ));
        let r = Scanner::open("nonexistent:9", &ScanSettings::default());
        assert!(matches!(r, Err(IntakeError::Scanner(m)) if m.contains("nonexistent")));
        let duplex = ScanSettings {
            source: Source::Duplex,
            ..Default::default()
        };
        assert!(Scanner::open("test:0", &duplex).is_err());
    }
}
