//! `host-harness simulate`: a week (by default) of the example company's
//! mail, tick by tick, against SQLite.

use std::path::PathBuf;

use chrono::{Datelike, Duration, NaiveDateTime};
use clap::Args;
use emailgen_host::Policy;
use host_harness::scenario::parse_local_datetime;
use host_harness::simulate::{self, parse_tick, SimConfig, Summary, EXAMPLE_COMPANY};
use host_harness::sqlite_store::SqliteStore;
use host_harness::Scenario;
use indicatif::{ProgressBar, ProgressStyle};

use super::{CacheArgs, Fatal, LimitArgs, RecordArgs, EXIT_OK, EXIT_PICK_ERROR};

#[derive(Args)]
pub struct SimulateArgs {
    /// SQLite database to run against (see `db init`); the run writes its
    /// emails into it. Default: an in-memory copy of the example company.
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Policy to simulate: a component file, or builtin:default / builtin:realistic.
    #[arg(long, value_name = "X.wasm", default_value = "builtin:default")]
    policy: String,
    /// A second policy, run on a copy of the same start state with the same
    /// seed and shown side by side.
    #[arg(long, value_name = "Y.wasm")]
    compare: Option<String>,
    /// Start of simulated time (local, ISO 8601). Default: this week's Monday 00:00.
    #[arg(long, value_name = "DATETIME", value_parser = parse_local_datetime)]
    from: Option<NaiveDateTime>,
    /// End of simulated time (exclusive). Default: one week after --from.
    #[arg(long, value_name = "DATETIME", value_parser = parse_local_datetime)]
    to: Option<NaiveDateTime>,
    /// Simulated time between ticks: 30s, 5m, 1h, 1d.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_tick)]
    tick: Duration,
    /// Seed: tick i picks with seed + i, so a run is reproducible.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Print the summary as one JSON object (no progress bar).
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML report with charts.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    cache: CacheArgs,
    #[command(flatten)]
    record: RecordArgs,
}

pub fn run(args: SimulateArgs) -> Result<i32, Fatal> {
    let from = args.from.unwrap_or_else(this_monday);
    let to = args.to.unwrap_or(from + Duration::days(7));
    if to <= from {
        return Err(Fatal(format!("--to ({to}) must be after --from ({from})")));
    }
    let config = SimConfig { from, to, tick: args.tick, seed: args.seed };
    let engine = args.limits.engine()?;
    let primary = args.cache.load(&engine, &args.policy)?;
    let second = args.compare.as_deref().map(|spec| args.cache.load(&engine, spec)).transpose()?;
    let start = start_state(&args, from)?;
    let sink = args.record.sink()?;
    let recorder = sink.clone().map(|s| s as emailgen_host::Recorder);

    let mut summaries = Vec::new();
    match &second {
        None => summaries.push(simulate_one(&primary, start, &config, args.json, &recorder)?),
        Some(second) => {
            for policy in [&primary, second] {
                let copy = start.copy_in_memory().map_err(|e| Fatal(format!("cannot copy the start state: {e}")))?;
                summaries.push(simulate_one(policy, copy, &config, args.json, &recorder)?);
            }
        }
    }
    drop(recorder);
    drop(sink); // the records are written before the command ends
    if let Some(path) = &args.report {
        std::fs::write(path, host_harness::report::html(&summaries))
            .map_err(|e| Fatal(format!("cannot write report {}: {e}", path.display())))?;
    }
    if args.json {
        let value = match summaries.as_slice() {
            [one] => serde_json::to_value(one),
            many => serde_json::to_value(serde_json::json!({ "compare": many })),
        };
        println!("{}", value.expect("summaries serialise"));
    } else {
        print!("{}", text_summary(&summaries));
    }
    Ok(if summaries.iter().any(|s| !s.errors.is_empty()) { EXIT_PICK_ERROR } else { EXIT_OK })
}

fn this_monday() -> NaiveDateTime {
    let today = chrono::Local::now().date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    monday.and_hms_opt(0, 0, 0).expect("midnight exists")
}

fn start_state(args: &SimulateArgs, from: NaiveDateTime) -> Result<SqliteStore, Fatal> {
    match &args.db {
        Some(path) => {
            if !path.exists() {
                return Err(Fatal(format!(
                    "database {} does not exist; create it with `host-harness db init`",
                    path.display()
                )));
            }
            SqliteStore::open(path).map_err(|e| Fatal(format!("cannot open database {}: {e}", path.display())))
        }
        None => {
            let scenario = Scenario::parse(EXAMPLE_COMPANY).map_err(|e| Fatal(format!("bundled example: {e}")))?;
            let mut store = SqliteStore::in_memory().map_err(|e| Fatal(e.to_string()))?;
            store.fill_from(&scenario.store, from).map_err(|e| Fatal(e.to_string()))?;
            Ok(store)
        }
    }
}

fn simulate_one(
    policy: &Policy,
    store: SqliteStore,
    config: &SimConfig,
    quiet: bool,
    recorder: &Option<emailgen_host::Recorder>,
) -> Result<Summary, Fatal> {
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(config.ticks()) };
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ticks ({eta})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(policy.id().name.clone());
    let (summary, _) =
        simulate::run(policy, store, config, recorder.clone(), |done, _| bar.set_position(done)).map_err(Fatal)?;
    bar.finish_and_clear();
    Ok(summary)
}

/// The summary as text, one column per run.
fn text_summary(runs: &[Summary]) -> String {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |label: &str, value: &dyn Fn(&Summary) -> String| {
        rows.push((label.to_owned(), runs.iter().map(value).collect()))
    };
    row("policy", &|s| s.policy.name.clone());
    row("sha256", &|s| s.policy.sha256[..12].to_owned());
    row("from", &|s| s.from.to_string());
    row("to", &|s| s.to.to_string());
    row("picks", &|s| s.picks.to_string());
    row("emails", &|s| s.actions.to_string());
    row("replies", &|s| format!("{} ({:.0}%)", s.replies, s.reply_ratio * 100.0));
    row("new threads", &|s| s.new_threads.to_string());
    row("threads", &|s| s.threads.to_string());
    for kind in ["no_mail_decky", "too_few_personas", "too_few_active"] {
        row(&format!("skip {kind}"), &|s| s.skips.get(kind).copied().unwrap_or(0).to_string());
    }
    row("errors", &|s| s.errors.values().sum::<u64>().to_string());
    for (i, day) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].iter().enumerate() {
        row(&format!("mail on {day}"), &|s| s.mail_per_weekday[i].to_string());
    }
    row("mail by hour", &|s| s.mail_per_hour.iter().map(u64::to_string).collect::<Vec<_>>().join(" "));
    row("thread depths", &|s| s.thread_depths.iter().map(|(d, n)| format!("{d}:{n}")).collect::<Vec<_>>().join(" "));
    let personas: std::collections::BTreeSet<&String> = runs.iter().flat_map(|s| s.mail_per_persona.keys()).collect();
    for persona in personas {
        row(persona, &|s| s.mail_per_persona.get(persona).copied().unwrap_or(0).to_string());
    }
    let label_width = rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (label, values) in rows {
        out.push_str(&format!("{label:<label_width$}  {}\n", values.join("  |  ")));
    }
    out
}
