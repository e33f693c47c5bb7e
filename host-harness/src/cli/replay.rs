//! `host-harness replay`: re-runs recorded picks.
//!
//! Each record replays on a fresh instance against a store that answers
//! from the record's transcript. A record replayed with the policy that
//! made it is a check: the outcome must be identical, or the command exits
//! 1 naming the first record that diverged and how. A record replayed with
//! another policy (`--policy`) is a shadow evaluation: both outcomes are
//! listed side by side and summed up per policy. Bad records (cut short,
//! off the schema, of another format version, of a policy this host does
//! not have) stop the command before anything is replayed: exit 2.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use emailgen_host::record::read_records;
use emailgen_host::{PickerEngine, Policy, RecordedPick};
use host_harness::replay::{brief, replay_record, Mode, ReplaySummary, ReplayedRecord};

use super::{CacheArgs, Fatal, LimitArgs, EXIT_OK, EXIT_PICK_ERROR};

#[derive(Args)]
pub struct ReplayArgs {
    /// The records (JSON Lines, as `--record` writes them).
    #[arg(long, value_name = "FILE")]
    record: PathBuf,
    /// Replay with this policy (a component file or builtin:NAME): records
    /// it made are checked, the others show what it would have decided.
    /// Default: each record's own policy, found among the built-in ones.
    #[arg(long, value_name = "X.wasm")]
    policy: Option<String>,
    /// Print one JSON object per record and the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the comparison as a self-contained HTML page.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

pub fn run(args: ReplayArgs) -> Result<i32, Fatal> {
    let records = read_records(&args.record)?;
    let engine = args.limits.engine()?;
    let given = args.policy.as_deref().map(|spec| args.cache.load(&engine, spec)).transpose()?;
    // Every record's policy is known before anything is replayed.
    let mut builtins = Builtins::default();
    let policies = records
        .iter()
        .enumerate()
        .map(|(i, record)| match &given {
            Some(policy) => Ok(policy.clone()),
            None => builtins.policy_for(&engine, record, i + 1, &args.record),
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut summary = ReplaySummary::default();
    let mut replayed = Vec::with_capacity(records.len());
    let mut out = std::io::stdout().lock();
    for (i, (record, policy)) in records.iter().zip(&policies).enumerate() {
        let result = replay_record(i + 1, record, policy);
        summary.add(&result);
        print_record(&mut out, &result, args.json)?;
        replayed.push(result);
    }
    if let Some(path) = &args.report {
        std::fs::write(path, host_harness::report::replay_html(&summary, &replayed))
            .map_err(|e| Fatal(format!("cannot write report {}: {e}", path.display())))?;
    }
    print_summary(&mut out, &summary, args.json)?;
    match replayed.iter().find(|r| r.diverged()) {
        Some(first) => {
            eprintln!(
                "host-harness: record {} diverged: {}",
                first.record,
                first.difference.as_deref().unwrap_or("the outcomes differ")
            );
            Ok(EXIT_PICK_ERROR)
        }
        None => Ok(EXIT_OK),
    }
}

/// The built-in policies, each compiled once, found by a record's policy.
#[derive(Default)]
struct Builtins {
    loaded: Vec<Policy>,
}

impl Builtins {
    /// The built-in policy that made `record` (the record's number and
    /// file name it in the error).
    fn policy_for(
        &mut self,
        engine: &PickerEngine,
        record: &RecordedPick,
        index: usize,
        file: &std::path::Path,
    ) -> Result<Policy, Fatal> {
        if let Some(policy) = self.loaded.iter().find(|p| p.id().sha256 == record.policy.sha256) {
            return Ok(policy.clone());
        }
        let builtin = emailgen_host::policy::BUILTIN_POLICIES
            .iter()
            .find(|(_, bytes)| emailgen_host::policy::sha256_hex(bytes) == record.policy.sha256);
        let Some((name, bytes)) = builtin else {
            return Err(Fatal(format!(
                "record {index} of {}: its policy {} (sha256 {}) is not built in; give it with --policy",
                file.display(),
                record.policy.name,
                record.policy.sha256
            )));
        };
        let policy = Policy::from_bytes(engine, name, bytes)?;
        self.loaded.push(policy.clone());
        Ok(policy)
    }
}

fn print_record(out: &mut impl Write, record: &ReplayedRecord, json: bool) -> Result<(), Fatal> {
    let line = if json {
        serde_json::to_string(record).expect("replays serialise")
    } else {
        let verdict = match (record.mode, record.agree, record.needs_data_not_recorded.is_empty()) {
            (_, _, false) => "needs data not recorded",
            (Mode::Check, true, _) => "identical",
            (Mode::Check, false, _) if record.not_repeatable.is_some() => "not repeatable",
            (Mode::Check, false, _) => "DIVERGED",
            (Mode::Shadow, true, _) => "agree",
            (Mode::Shadow, false, _) => "differ",
        };
        let mut line = format!(
            "record {:>5}  {:<24}  {} {:<48} | {} {}",
            record.record,
            verdict,
            record.recorded_policy.name,
            brief(&record.recorded),
            record.replayed_policy.name,
            match record.needs_data_not_recorded.first() {
                Some(missing) => format!("(asked for {missing})"),
                None => brief(&record.replayed),
            }
        );
        if let Some(why) = &record.not_repeatable {
            line += &format!("  ({why})");
        }
        line
    };
    writeln!(out, "{line}").map_err(|e| Fatal(format!("cannot write to stdout: {e}")))
}

fn print_summary(out: &mut impl Write, summary: &ReplaySummary, json: bool) -> Result<(), Fatal> {
    let text = if json {
        serde_json::json!({ "summary": summary }).to_string()
    } else {
        let mut text = format!(
            "{} records: {} replayed with their own policy, {} with another; {} agree, {} differ, {} need data not recorded",
            summary.records, summary.checked, summary.shadowed, summary.agree, summary.differ, summary.needs_data_not_recorded
        );
        for (side, tally) in [("recorded", &summary.recorded), ("replayed", &summary.replayed)] {
            let name = tally.policy.as_ref().map_or("-", |p| p.name.as_str());
            text += &format!(
                "\n{side:>8} ({name}): {} picks, {} emails, {} replies ({:.0}%), skips {:?}, errors {:?}",
                tally.picks,
                tally.actions,
                tally.replies,
                tally.reply_ratio * 100.0,
                tally.skips,
                tally.errors
            );
        }
        text
    };
    writeln!(out, "{text}").map_err(|e| Fatal(format!("cannot write to stdout: {e}")))
}
