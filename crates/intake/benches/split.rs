//! Split + code reading per 200-dpi page: each page of a noisy, rotated,
//! JPEG-compressed batch (separator sheets and text pages) is looked at as
//! `ingest --split` does (codes, separator bars, quality checks), and the
//! batch is cut. Decoding the page to grey is timed apart, and the whole
//! look (decode included) too. Run by benches/intake.sh.

use std::path::Path;
use std::time::Instant;

use doisoat_domain::DossierCode;
use doisoat_intake::codes::read_codes;
use doisoat_intake::quality::rules_on;
use doisoat_intake::split::{grey_page, look_at, look_at_page, plan};
use doisoat_intake::synth::{batch_pdf, ScanConditions, SynthPage};

fn main() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/paper");
    let doc =
        doisoat_pages::open(&fixtures.join("000.00.38.H38-221125-0001_TP2_scan.pdf")).unwrap();
    let content: Vec<_> = (0..doc.page_count())
        .map(|i| {
            let p = doc.render(i, 200.0).unwrap();
            let k = 200.0 / p.dpi;
            let (w, h) = p.image.dimensions();
            let g = image::DynamicImage::ImageRgb8(p.image).to_luma8();
            image::imageops::resize(
                &g,
                (w as f32 * k) as u32,
                (h as f32 * k) as u32,
                image::imageops::FilterType::Triangle,
            )
        })
        .collect();
    let mut pages = Vec::new();
    for d in 1..=5 {
        pages.push(SynthPage::Sheet(
            DossierCode::new(&format!("000.00.38.H38-221125-{d:04}")).unwrap(),
        ));
        for k in 0..3 {
            pages.push(SynthPage::Content(k));
        }
    }
    let cond = ScanConditions {
        dpi: 200.0,
        max_rotation_deg: 3.0,
        noise: 14,
        jpeg_quality: 70,
        seed: 3,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.pdf");
    std::fs::write(&path, batch_pdf(&pages, &content, &cond).unwrap()).unwrap();
    let doc = doisoat_pages::open(&path).unwrap();
    let rules = rules_on("2026-11-27");
    let mut decode_ms = Vec::new();
    let mut look_ms = Vec::new();
    let mut codes_ms = Vec::new();
    let mut whole_ms = Vec::new();
    let mut looks = Vec::new();
    for round in 0..3 {
        for i in 0..doc.page_count() {
            let t = Instant::now();
            let p = grey_page(&doc, i, 300.0).unwrap();
            let t1 = Instant::now();
            let look = look_at(i, &p.image, p.grey_scan, p.dpi, &rules);
            let t2 = Instant::now();
            let _ = read_codes(&p.image, p.dpi);
            let t3 = Instant::now();
            let _ = look_at_page(&doc, i, 300.0, &rules).unwrap();
            let t4 = Instant::now();
            if round > 0 {
                decode_ms.push((t1 - t).as_secs_f64() * 1000.0);
                look_ms.push((t2 - t1).as_secs_f64() * 1000.0);
                codes_ms.push((t3 - t2).as_secs_f64() * 1000.0);
                whole_ms.push((t4 - t3).as_secs_f64() * 1000.0);
            } else {
                looks.push(look);
            }
        }
    }
    let t = Instant::now();
    let parts = plan(&looks);
    let plan_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(parts.len(), 5, "the batch must split into its 5 dossiers");
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (mean, v[v.len() / 2], v[v.len() * 9 / 10], v[v.len() - 1])
    };
    let n = doc.page_count();
    for (name, v) in [
        ("decode page to grey", &mut decode_ms),
        ("split+codes+quality", &mut look_ms),
        ("code reading alone", &mut codes_ms),
        ("decode+split+codes+quality", &mut whole_ms),
    ] {
        let (mean, med, p90, max) = stats(v);
        println!("{name:28} per 200-dpi page: mean {mean:6.1} ms  median {med:6.1}  p90 {p90:6.1}  max {max:6.1}  ({} samples, {n} pages)", v.len());
    }
    println!(
        "cutting {n} pages into {} parts: {plan_ms:.3} ms",
        parts.len()
    );
}
