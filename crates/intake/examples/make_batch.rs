//! Writes a synthetic scanned batch for benches and demos: for each dossier
//! code given, a separator sheet and N content pages (the committed paper
//! scans, cycled), rotated up to 3°, noisy, JPEG q70, 200 dpi.
//!
//! `cargo run -p doisoat-intake --example make_batch -- OUT.pdf PAGES_PER_DOSSIER CODE…`

use std::path::Path;

use doisoat_domain::DossierCode;
use doisoat_intake::synth::{batch_pdf, content_pages, ScanConditions, SynthPage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out, per, codes @ ..] = args.as_slice() else {
        return Err("usage: make_batch OUT.pdf PAGES_PER_DOSSIER CODE…".into());
    };
    let per: usize = per.parse()?;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/paper");
    let content = content_pages(
        &[
            "000.00.38.H38-221125-0001_TP1_scan.pdf",
            "000.00.38.H38-221125-0001_TP2_scan.pdf",
            "000.00.38.H38-221125-0003_TP1_scan.pdf",
        ]
        .map(|f| fixtures.join(f)),
        200.0,
    )?;
    let mut pages = Vec::new();
    let mut k = 0;
    for c in codes {
        let code = DossierCode::new(c).ok_or("empty code")?;
        pages.push(SynthPage::Sheet(code));
        for _ in 0..per {
            pages.push(SynthPage::Content(k % content.len()));
            k += 1;
        }
    }
    let cond = ScanConditions {
        dpi: 200.0,
        max_rotation_deg: 3.0,
        noise: 14,
        jpeg_quality: 70,
        seed: 11,
    };
    std::fs::write(out, batch_pdf(&pages, &content, &cond)?)?;
    eprintln!("{out}: {} pages", pages.len());
    Ok(())
}
