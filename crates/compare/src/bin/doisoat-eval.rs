//! Scores the comparison engine (or a peer method) on a labelled corpus made
//! by `tools/gen/corpus.py`: verdict accuracy, changed-page precision and
//! recall, localisation hit rate, pairing accuracy and seconds per page, per
//! tier.
//!
//! ```text
//! doisoat-eval DIR [--ocr] [--json] [--method engine|dhash|magick] [--jobs N] [--only ID,ID] [--tier scan|phone] [--verbose]
//!              [--tolerance PX] [--min-change PX] [--confirm-min PX] [--mark-min MASS] [--no-residue] [--no-siblings] [--no-tones]
//! ```
//! Each case is compared on one thread; `--jobs` runs several cases at once
//! (faster, but the per-page timings then share the cores). Besides the
//! tiers, the score is also given per kind of electronic copy
//! (`e:born_digital`, `e:scanned`): a born-digital copy's text layer names
//! the changes, a scanned one is read by OCR.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use doisoat_compare::{compare, Options, PairStatus, Region, Verdict};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Engine,
    /// Peer anchor: page i against page i, a plain dHash-16 threshold
    /// (recipes.md: same page ≤ 23 bits), no registration, no pairing.
    Dhash,
    /// Peer anchor: ImageMagick `compare -metric AE -fuzz 25%`, page i
    /// against page i at 100 dpi (the paper page resized to the electronic
    /// page's size), no registration; a page differs when more than 1 % of
    /// its pixels differ. What a pixel-diff tool such as diff-pdf does.
    Magick,
}

struct Args {
    dir: PathBuf,
    ocr: bool,
    json: bool,
    method: Method,
    jobs: usize,
    only: Option<Vec<String>>,
    /// Only the cases of this tier (`scan`, `phone`), as their truth files say.
    tier: Option<String>,
    verbose: bool,
    /// Engine tunables, for tuning runs.
    tolerance: Option<u32>,
    min_change: Option<u32>,
    confirm_min: Option<u32>,
    mark_min: Option<f32>,
    /// Leave out the scanned page's residue spot (`Options::residue`), to measure it.
    no_residue: bool,
    /// Leave out the photographed glyph unlike its siblings (`Options::siblings`).
    no_siblings: bool,
    /// Leave out the letter another mark configuration explains better (`Options::tones`).
    no_tones: bool,
}

const USAGE: &str =
    "usage: doisoat-eval DIR [--ocr] [--json] [--method engine|dhash|magick] [--jobs N]
                    [--only ID,ID] [--tier scan|phone] [--verbose]
                    [--tolerance PX] [--min-change PX] [--confirm-min PX] [--mark-min MASS]
                    [--no-residue] [--no-siblings] [--no-tones]
DIR holds one folder per case with a truth.json (tools/gen/corpus.py).
DOISOAT_EVAL_DEBUG=DIR writes each pair's debug pictures under DIR/<case>/.";

fn parse_args() -> Result<Args> {
    let mut a = Args {
        dir: PathBuf::new(),
        ocr: false,
        json: false,
        method: Method::Engine,
        jobs: 1,
        only: None,
        tier: None,
        verbose: false,
        tolerance: None,
        min_change: None,
        confirm_min: None,
        mark_min: None,
        no_residue: false,
        no_siblings: false,
        no_tones: false,
    };
    let mut it = std::env::args().skip(1);
    let mut dir = None;
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--ocr" => a.ocr = true,
            "--json" => a.json = true,
            "--verbose" => a.verbose = true,
            "--no-residue" => a.no_residue = true,
            "--no-siblings" => a.no_siblings = true,
            "--no-tones" => a.no_tones = true,
            "--method" => {
                a.method = match it.next().as_deref() {
                    Some("engine") => Method::Engine,
                    Some("dhash") => Method::Dhash,
                    Some("magick") => Method::Magick,
                    other => bail!("unknown method {other:?} (engine | dhash | magick)"),
                }
            }
            "--tolerance" => a.tolerance = Some(it.next().context("--tolerance PX")?.parse()?),
            "--min-change" => a.min_change = Some(it.next().context("--min-change PX")?.parse()?),
            "--confirm-min" => {
                a.confirm_min = Some(it.next().context("--confirm-min PX")?.parse()?)
            }
            "--mark-min" => a.mark_min = Some(it.next().context("--mark-min MASS")?.parse()?),
            "--jobs" => a.jobs = it.next().context("--jobs N")?.parse()?,
            "--tier" => a.tier = Some(it.next().context("--tier scan|phone")?),
            "--only" => {
                a.only = Some(
                    it.next()
                        .context("--only ID,ID")?
                        .split(',')
                        .map(str::to_owned)
                        .collect(),
                )
            }
            s if !s.starts_with("--") && dir.is_none() => dir = Some(PathBuf::from(s)),
            s => bail!("unexpected argument {s}\n{USAGE}"),
        }
    }
    a.dir = dir.context(USAGE)?;
    Ok(a)
}

/// The case folders (with a truth.json) of `dir`, sorted: those named in
/// `only`, and of `tier` as their truth files say, when given.
fn list_cases(dir: &Path, only: Option<&[String]>, tier: Option<&str>) -> Result<Vec<PathBuf>> {
    let tier_of = |case: &Path| -> Option<String> {
        let truth: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("truth.json")).ok()?).ok()?;
        truth["tier"].as_str().map(str::to_owned)
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("truth.json").is_file())
        .filter(|p| {
            only.is_none_or(|only| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| only.iter().any(|o| o == n))
            })
        })
        .filter(|p| tier.is_none_or(|t| tier_of(p).as_deref() == Some(t)))
        .collect();
    cases.sort();
    if cases.is_empty() {
        let of_tier = tier.map(|t| format!(" of tier {t}")).unwrap_or_default();
        bail!(
            "no cases{of_tier} (folders with truth.json) in {}",
            dir.display()
        );
    }
    Ok(cases)
}

/// One page entry of a result, engine or truth.
#[derive(Debug, Clone)]
struct Entry {
    paper: Option<u32>,
    electronic: Option<u32>,
    status: PairStatus,
    regions: Vec<Region>,
}

/// What a method said about one case.
struct Outcome {
    verdict: Verdict,
    entries: Vec<Entry>,
    seconds: f64,
    text: Vec<(String, String)>,
}

fn run_engine(case: &Path, truth: &Value, args: &Args) -> Result<Outcome> {
    let paper =
        doisoat_pages::open(&case.join(truth["paper"]["file"].as_str().context("paper file")?))?;
    let electronic = doisoat_pages::open(&case.join("electronic.pdf"))?;
    let defaults = Options::default();
    let opts = Options {
        ocr: args.ocr,
        threads: 1,
        ink_tolerance_px: args.tolerance.unwrap_or(defaults.ink_tolerance_px),
        min_change_px: args.min_change.unwrap_or(defaults.min_change_px),
        confirm_min_px: args.confirm_min.unwrap_or(defaults.confirm_min_px),
        mark_min_mass: args.mark_min.unwrap_or(defaults.mark_min_mass),
        residue: !args.no_residue,
        siblings: !args.no_siblings,
        tones: !args.no_tones,
        debug_dir: std::env::var_os("DOISOAT_EVAL_DEBUG").map(|d| {
            let dir = PathBuf::from(d).join(case.file_name().unwrap_or_default());
            let _ = std::fs::create_dir_all(&dir);
            dir
        }),
        ..Options::default()
    };
    let t0 = Instant::now();
    let c = compare(&paper, &electronic, &opts)?;
    let seconds = t0.elapsed().as_secs_f64();
    let text = c
        .pages
        .iter()
        .flat_map(|p| {
            p.text
                .iter()
                .map(|t| (t.electronic.clone(), t.paper.clone()))
        })
        .collect();
    Ok(Outcome {
        verdict: c.verdict,
        entries: c
            .pages
            .into_iter()
            .map(|p| Entry {
                paper: p.paper_page,
                electronic: p.electronic_page,
                status: p.status,
                regions: p.regions,
            })
            .collect(),
        seconds,
        text,
    })
}

/// The plain-fingerprint peer: page i against page i.
fn run_dhash(case: &Path, truth: &Value) -> Result<Outcome> {
    let paper =
        doisoat_pages::open(&case.join(truth["paper"]["file"].as_str().context("paper file")?))?;
    let electronic = doisoat_pages::open(&case.join("electronic.pdf"))?;
    let t0 = Instant::now();
    let (np, ne) = (paper.page_count(), electronic.page_count());
    let mut entries = Vec::new();
    for i in 0..np.max(ne) {
        let status = if i >= np {
            PairStatus::MissingFromPaper
        } else if i >= ne {
            PairStatus::MissingFromElectronic
        } else {
            let a = doisoat_pages::fingerprint(&paper.render(i, 200.0)?.image);
            let b = doisoat_pages::fingerprint(&electronic.render(i, 200.0)?.image);
            if a.distance(&b) <= 23 {
                PairStatus::Same
            } else {
                PairStatus::Different
            }
        };
        entries.push(Entry {
            paper: (i < np).then_some(i as u32 + 1),
            electronic: (i < ne).then_some(i as u32 + 1),
            status,
            regions: Vec::new(),
        });
    }
    let verdict = if entries.iter().all(|e| e.status == PairStatus::Same) {
        Verdict::Match
    } else {
        Verdict::Mismatch
    };
    Ok(Outcome {
        verdict,
        entries,
        seconds: t0.elapsed().as_secs_f64(),
        text: Vec::new(),
    })
}

/// The ImageMagick peer: page i against page i, pixel by pixel.
fn run_magick(case: &Path, truth: &Value) -> Result<Outcome> {
    let paper =
        doisoat_pages::open(&case.join(truth["paper"]["file"].as_str().context("paper file")?))?;
    let electronic = doisoat_pages::open(&case.join("electronic.pdf"))?;
    let work = std::env::temp_dir().join(format!(
        "doisoat-eval-magick-{}-{}",
        std::process::id(),
        case.file_name().and_then(|n| n.to_str()).unwrap_or("case")
    ));
    std::fs::create_dir_all(&work)?;
    let t0 = Instant::now();
    let (np, ne) = (paper.page_count(), electronic.page_count());
    let mut entries = Vec::new();
    for i in 0..np.max(ne) {
        let status = if i >= np {
            PairStatus::MissingFromPaper
        } else if i >= ne {
            PairStatus::MissingFromElectronic
        } else {
            let e = electronic.render(i, 100.0)?.image;
            let p = paper.render(i, 100.0)?.image;
            let p = image::imageops::resize(
                &p,
                e.width(),
                e.height(),
                image::imageops::FilterType::Triangle,
            );
            let (ep, pp) = (
                work.join(format!("e{i}.png")),
                work.join(format!("p{i}.png")),
            );
            e.save(&ep)?;
            p.save(&pp)?;
            let out = std::process::Command::new("compare")
                .args(["-metric", "AE", "-fuzz", "25%"])
                .arg(&pp)
                .arg(&ep)
                .arg("null:")
                .output()
                .context("running ImageMagick `compare` (apt install imagemagick)")?;
            // `compare` prints the metric on stderr; exit 0 = same, 1 = different.
            let text = String::from_utf8_lossy(&out.stderr);
            let differing: f64 = text
                .split_whitespace()
                .next()
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("unexpected `compare` output: {text}"))?;
            let pixels = f64::from(e.width()) * f64::from(e.height());
            if differing <= 0.01 * pixels {
                PairStatus::Same
            } else {
                PairStatus::Different
            }
        };
        entries.push(Entry {
            paper: (i < np).then_some(i as u32 + 1),
            electronic: (i < ne).then_some(i as u32 + 1),
            status,
            regions: Vec::new(),
        });
    }
    let _ = std::fs::remove_dir_all(&work);
    let verdict = if entries.iter().all(|e| e.status == PairStatus::Same) {
        Verdict::Match
    } else {
        Verdict::Mismatch
    };
    Ok(Outcome {
        verdict,
        entries,
        seconds: t0.elapsed().as_secs_f64(),
        text: Vec::new(),
    })
}

fn truth_entries(truth: &Value) -> Result<Vec<Entry>> {
    let pages = truth["pages"].as_array().context("truth pages")?;
    pages
        .iter()
        .map(|p| {
            Ok(Entry {
                paper: p["paper_page"].as_u64().map(|v| v as u32),
                electronic: p["electronic_page"].as_u64().map(|v| v as u32),
                status: serde_json::from_value(p["status"].clone())?,
                regions: match p.get("regions") {
                    Some(r) => serde_json::from_value(r.clone())?,
                    None => Vec::new(),
                },
            })
        })
        .collect()
}

/// Tallies for one tier.
#[derive(Debug, Default, Clone, Serialize)]
struct Tally {
    cases: usize,
    verdict_right: usize,
    /// Pages that truly changed (paired, `different` in truth).
    changed_truth: usize,
    /// Pages reported `different`.
    changed_reported: usize,
    /// Reported `different` and truly changed.
    changed_hit: usize,
    /// Truly changed pages with a reported region overlapping the truth.
    localised: usize,
    /// Page partners (each electronic and each paper page) given right.
    partners_right: usize,
    partners: usize,
    /// Text changes named right (OCR), out of truly changed pages found.
    text_right: usize,
    seconds_per_page: Vec<f64>,
    errors: usize,
}

#[derive(Debug, Serialize)]
struct TierScore {
    cases: usize,
    verdict_accuracy: f64,
    changed_precision: f64,
    changed_recall: f64,
    localisation: f64,
    pairing_accuracy: f64,
    text_named: Option<f64>,
    median_s_per_page: f64,
    mean_s_per_page: f64,
    errors: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

impl Tally {
    fn score(&self, ocr: bool) -> TierScore {
        let mut s = self.seconds_per_page.clone();
        s.sort_by(f64::total_cmp);
        let median = if s.is_empty() { 0.0 } else { s[s.len() / 2] };
        let mean = if s.is_empty() {
            0.0
        } else {
            s.iter().sum::<f64>() / s.len() as f64
        };
        TierScore {
            cases: self.cases,
            verdict_accuracy: ratio(self.verdict_right, self.cases),
            changed_precision: ratio(self.changed_hit, self.changed_reported),
            changed_recall: ratio(self.changed_hit, self.changed_truth),
            localisation: ratio(self.localised, self.changed_truth),
            pairing_accuracy: ratio(self.partners_right, self.partners),
            text_named: ocr.then(|| ratio(self.text_right, self.changed_truth)),
            median_s_per_page: median,
            mean_s_per_page: mean,
            errors: self.errors,
        }
    }

    fn add(&mut self, other: &Tally) {
        self.cases += other.cases;
        self.verdict_right += other.verdict_right;
        self.changed_truth += other.changed_truth;
        self.changed_reported += other.changed_reported;
        self.changed_hit += other.changed_hit;
        self.localised += other.localised;
        self.partners_right += other.partners_right;
        self.partners += other.partners;
        self.text_right += other.text_right;
        self.seconds_per_page.extend(&other.seconds_per_page);
        self.errors += other.errors;
    }
}

/// Partner of each page, as `(side, page) -> partner`.
fn partners(entries: &[Entry]) -> BTreeMap<(u8, u32), Option<u32>> {
    let mut m = BTreeMap::new();
    for e in entries {
        if let Some(p) = e.paper {
            m.insert((0, p), e.electronic);
        }
        if let Some(el) = e.electronic {
            m.insert((1, el), e.paper);
        }
    }
    m
}

fn normalise_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Scores one case; returns the tally and a one-line summary for `--verbose`.
fn score_case(truth: &Value, outcome: &Outcome) -> Result<(Tally, String)> {
    let truth_entries = truth_entries(truth)?;
    let mut t = Tally {
        cases: 1,
        ..Tally::default()
    };
    let truth_verdict: Verdict = serde_json::from_value(truth["verdict"].clone())?;
    t.verdict_right = usize::from(truth_verdict == outcome.verdict);
    let by_e: BTreeMap<u32, &Entry> = outcome
        .entries
        .iter()
        .filter_map(|e| e.electronic.map(|n| (n, e)))
        .collect();
    let truth_changed: Vec<&Entry> = truth_entries
        .iter()
        .filter(|e| e.status == PairStatus::Different)
        .collect();
    t.changed_truth = truth_changed.len();
    for e in &outcome.entries {
        if e.status == PairStatus::Different {
            t.changed_reported += 1;
            let hit = truth_changed
                .iter()
                .any(|tc| tc.electronic == e.electronic && tc.paper == e.paper);
            t.changed_hit += usize::from(hit);
        }
    }
    for tc in &truth_changed {
        if let Some(found) = tc.electronic.and_then(|n| by_e.get(&n)) {
            if found.status == PairStatus::Different
                && found
                    .regions
                    .iter()
                    .any(|r| tc.regions.iter().any(|tr| r.overlaps(tr)))
            {
                t.localised += 1;
            }
        }
    }
    if let Some(texts) = truth["pages"].as_array() {
        for p in texts {
            for tx in p["text"].as_array().into_iter().flatten() {
                let (e, pa) = (
                    normalise_text(tx["electronic"].as_str().unwrap_or_default()),
                    normalise_text(tx["paper"].as_str().unwrap_or_default()),
                );
                if outcome.text.iter().any(|(oe, op)| {
                    normalise_text(oe).contains(&e) && normalise_text(op).contains(&pa)
                }) {
                    t.text_right += 1;
                }
            }
        }
    }
    let truth_partners = partners(&truth_entries);
    let ours = partners(&outcome.entries);
    t.partners = truth_partners.len();
    t.partners_right = truth_partners
        .iter()
        .filter(|(k, v)| ours.get(k) == Some(v))
        .count();
    let pages = truth["paper"]["pages"]
        .as_u64()
        .unwrap_or(1)
        .max(truth["electronic"]["pages"].as_u64().unwrap_or(1));
    t.seconds_per_page.push(outcome.seconds / pages as f64);
    let summary = format!(
        "verdict {} changed {}/{}/{} loc {} pairs {}/{} {:.2}s text {:?}",
        if t.verdict_right == 1 { "ok " } else { "BAD" },
        t.changed_hit,
        t.changed_reported,
        t.changed_truth,
        t.localised,
        t.partners_right,
        t.partners,
        outcome.seconds,
        outcome.text
    );
    Ok((t, summary))
}

fn main() -> Result<()> {
    // Tesseract must not start its own OpenMP threads: cases run in parallel instead.
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        std::env::set_var("OMP_THREAD_LIMIT", "1");
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = parse_args()?;
    let cases = list_cases(&args.dir, args.only.as_deref(), args.tier.as_deref())?;
    let tallies: Mutex<BTreeMap<String, Tally>> = Mutex::new(BTreeMap::new());
    // The same cases again, split by the kind of electronic copy instead of the tier.
    let by_electronic_kind: Mutex<BTreeMap<String, Tally>> = Mutex::new(BTreeMap::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..args.jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let id = case
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("?")
                    .to_owned();
                // Debug logs of the engine name the case they come from.
                let _span = tracing::debug_span!("case", id = %id).entered();
                let result = (|| -> Result<(String, String, Tally, String)> {
                    let truth: Value =
                        serde_json::from_str(&std::fs::read_to_string(case.join("truth.json"))?)?;
                    let tier = truth["tier"].as_str().unwrap_or("?").to_owned();
                    let electronic_kind = format!(
                        "e:{}",
                        truth["electronic_kind"].as_str().unwrap_or("unknown")
                    );
                    let outcome = match args.method {
                        Method::Engine => run_engine(case, &truth, &args)?,
                        Method::Dhash => run_dhash(case, &truth)?,
                        Method::Magick => run_magick(case, &truth)?,
                    };
                    let (t, line) = score_case(&truth, &outcome)?;
                    let line = format!(
                        "{id} {tier:<5} {:<11} {:<12} {line}",
                        truth["kind"].as_str().unwrap_or("?"),
                        truth["electronic_kind"].as_str().unwrap_or("?")
                    );
                    Ok((tier, electronic_kind, t, line))
                })();
                match result {
                    Ok((tier, electronic_kind, t, line)) => {
                        if args.verbose {
                            eprintln!("{line}");
                        }
                        tallies
                            .lock()
                            .expect("tally lock")
                            .entry(tier)
                            .or_default()
                            .add(&t);
                        by_electronic_kind
                            .lock()
                            .expect("tally lock")
                            .entry(electronic_kind)
                            .or_default()
                            .add(&t);
                    }
                    Err(e) => {
                        eprintln!("{id}: error: {e:#}");
                        tallies
                            .lock()
                            .expect("tally lock")
                            .entry("errors".into())
                            .or_default()
                            .add(&Tally {
                                cases: 1,
                                errors: 1,
                                ..Tally::default()
                            });
                    }
                }
            });
        }
    });
    let tallies = tallies.into_inner().expect("tally lock");
    let mut all = Tally::default();
    let mut scores: BTreeMap<String, TierScore> = BTreeMap::new();
    for (tier, t) in &tallies {
        all.add(t);
        scores.insert(tier.clone(), t.score(args.ocr));
    }
    scores.insert("all".into(), all.score(args.ocr));
    for (kind, t) in by_electronic_kind.into_inner().expect("tally lock") {
        scores.insert(kind, t.score(args.ocr));
    }
    let method = match args.method {
        Method::Engine => "doisoat",
        Method::Dhash => "dhash16-page-i",
        Method::Magick => "magick-ae-page-i",
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"method": method, "ocr": args.ocr, "tiers": scores})
            )?
        );
    } else {
        println!(
            "{:<16} {:<14} {:>5} {:>8} {:>9} {:>7} {:>6} {:>8} {:>6} {:>9} {:>9}",
            "method",
            "tier",
            "cases",
            "verdict",
            "precision",
            "recall",
            "local",
            "pairing",
            "text",
            "median_s",
            "mean_s"
        );
        for (tier, s) in &scores {
            println!(
                "{:<16} {:<14} {:>5} {:>8.3} {:>9.3} {:>7.3} {:>6.3} {:>8.3} {:>6} {:>9.3} {:>9.3}",
                method,
                tier,
                s.cases,
                s.verdict_accuracy,
                s.changed_precision,
                s.changed_recall,
                s.localisation,
                s.pairing_accuracy,
                s.text_named.map_or("-".to_owned(), |v| format!("{v:.3}")),
                s.median_s_per_page,
                s.mean_s_per_page
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_chosen_by_name_and_by_the_tier_their_truth_names() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for (id, tier) in [("c0002", "phone"), ("c0001", "scan"), ("c0003", "phone")] {
            std::fs::create_dir_all(dir.join(id)).unwrap();
            std::fs::write(
                dir.join(id).join("truth.json"),
                format!(r#"{{"id": "{id}", "tier": "{tier}"}}"#),
            )
            .unwrap();
        }
        // A folder without a truth file is not a case.
        std::fs::create_dir_all(dir.join("notes")).unwrap();
        let names = |only: Option<&[String]>, tier: Option<&str>| -> Vec<String> {
            list_cases(dir, only, tier)
                .unwrap()
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(None, None), ["c0001", "c0002", "c0003"]);
        assert_eq!(names(None, Some("phone")), ["c0002", "c0003"]);
        let only = ["c0001".to_owned(), "c0003".to_owned()];
        assert_eq!(names(Some(&only), Some("phone")), ["c0003"]);
        let err = list_cases(dir, None, Some("fax")).unwrap_err();
        assert!(err.to_string().contains("no cases of tier fax"), "{err}");
    }
}
