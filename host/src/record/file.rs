//! Records to a file: JSON Lines, written by a thread of the sink's own
//! (a pick only hands its record over), with a size cap and rotation.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;
use std::thread::JoinHandle;

use super::{PickRecord, RecordSink};

/// How big a record file may grow, and how many rotated files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    /// A file is rotated before a line would take it past this size.
    pub max_bytes: u64,
    /// Rotated files kept (`FILE.1` newest … `FILE.N` oldest); older ones
    /// are deleted. 0: the file is truncated instead.
    pub keep: u32,
}

impl Default for FileLimits {
    /// 64 MiB a file, four rotated files kept.
    fn default() -> Self {
        FileLimits { max_bytes: 64 << 20, keep: 4 }
    }
}

/// Records handed to the writer and not yet written before a pick waits.
const QUEUE: usize = 4096;

enum Message {
    Record(Box<PickRecord>),
    Flush(SyncSender<()>),
}

/// Writes records to a file as JSON Lines. Appends to an existing file.
/// Picks hand records to a writer thread (a pick waits only when 4096 are
/// queued, so none is lost); dropping the sink writes what is queued.
pub struct FileSink {
    sender: Mutex<Option<SyncSender<Message>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    path: PathBuf,
}

impl FileSink {
    /// A sink writing to `path` (created or appended to) within `limits`.
    pub fn create(path: impl Into<PathBuf>, limits: FileLimits) -> io::Result<Self> {
        let path = path.into();
        let file = RotatingFile::open(path.clone(), limits)?;
        let (sender, receiver) = sync_channel(QUEUE);
        let writer =
            std::thread::Builder::new().name("pick-records".into()).spawn(move || write_all(file, receiver))?;
        Ok(FileSink { sender: Mutex::new(Some(sender)), writer: Mutex::new(Some(writer)), path })
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn send(&self, message: Message) -> bool {
        let sender = self.sender.lock().unwrap_or_else(|p| p.into_inner()).clone();
        sender.is_some_and(|sender| sender.send(message).is_ok())
    }
}

impl RecordSink for FileSink {
    fn record(&self, record: PickRecord) {
        if !self.send(Message::Record(Box::new(record))) {
            tracing::warn!("the pick record writer for {} has stopped; a record is lost", self.path.display());
        }
    }

    fn flush(&self) {
        let (done, wait) = sync_channel(1);
        if self.send(Message::Flush(done)) {
            let _ = wait.recv();
        }
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        self.sender.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = writer.join();
        }
    }
}

fn write_all(mut file: RotatingFile, receiver: Receiver<Message>) {
    while let Ok(message) = receiver.recv() {
        match message {
            Message::Record(record) => file.write_line(&record.to_json_line()),
            Message::Flush(done) => {
                file.flush();
                let _ = done.send(());
            }
        }
    }
    file.flush();
}

/// The record file and its rotated predecessors.
struct RotatingFile {
    path: PathBuf,
    limits: FileLimits,
    out: BufWriter<File>,
    size: u64,
}

impl RotatingFile {
    fn open(path: PathBuf, limits: FileLimits) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let size = file.metadata()?.len();
        Ok(RotatingFile { path, limits, out: BufWriter::new(file), size })
    }

    fn write_line(&mut self, line: &str) {
        let length = line.len() as u64 + 1;
        if self.size > 0 && self.size + length > self.limits.max_bytes {
            if let Err(err) = self.rotate() {
                tracing::warn!("cannot rotate {}: {err}", self.path.display());
            }
        }
        let written = self.out.write_all(line.as_bytes()).and_then(|()| self.out.write_all(b"\n"));
        match written {
            Ok(()) => self.size += length,
            Err(err) => tracing::warn!("cannot write a pick record to {}: {err}", self.path.display()),
        }
    }

    fn flush(&mut self) {
        if let Err(err) = self.out.flush() {
            tracing::warn!("cannot write pick records to {}: {err}", self.path.display());
        }
    }

    /// `FILE.N-1` → `FILE.N` … `FILE` → `FILE.1`, then a new `FILE`.
    fn rotate(&mut self) -> io::Result<()> {
        self.out.flush()?;
        let numbered = |n: u32| PathBuf::from(format!("{}.{n}", self.path.display()));
        if self.limits.keep > 0 {
            let _ = std::fs::remove_file(numbered(self.limits.keep));
            for n in (1..self.limits.keep).rev() {
                if numbered(n).exists() {
                    std::fs::rename(numbered(n), numbered(n + 1))?;
                }
            }
            std::fs::rename(&self.path, numbered(1))?;
        }
        let file = OpenOptions::new().create(true).write(true).truncate(true).open(&self.path)?;
        self.out = BufWriter::new(file);
        self.size = 0;
        Ok(())
    }
}
