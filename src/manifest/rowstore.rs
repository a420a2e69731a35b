//! Manifest rows kept on disk while a batch runs: one line of JSON per row in a
//! temporary file beside the outputs, and in memory only where each line is. A
//! batch of 10,000 audiences has 30,000 rows, twice over (this build's and the
//! last manifest's); held as structs they were a third of the batch's memory.

use crate::manifest::OutputRow;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct RowStore {
    /// Where the temp file goes, once the rows outgrow memory.
    path: PathBuf,
    lines_at: Lines,
    /// Offset and length of each row's line.
    lines: Vec<(u64, u32)>,
    end: u64,
}

/// Where the lines are: in memory while they are few (a shipped batch's rows
/// are a few kilobytes, and a temp file cost two system calls to make and one
/// to remove, twice per build), then in the temp file.
enum Lines {
    Memory(Vec<u8>),
    File {
        writer: BufWriter<std::fs::File>,
        /// A second handle for reading (behind a lock: jobs read rows concurrently).
        reader: Mutex<std::fs::File>,
    },
}

/// Bytes of rows kept in memory before they go to a temp file: about 2,500 rows.
const IN_MEMORY: usize = 1 << 20;

impl RowStore {
    /// A new, empty store; its rows go to a temp file in `dir` once they
    /// outgrow memory, removed when the store is dropped.
    pub fn create(dir: &Path, name: &str) -> std::io::Result<RowStore> {
        Ok(RowStore {
            path: dir.join(format!(".{name}.{}.tmp", std::process::id())),
            lines_at: Lines::Memory(Vec::new()),
            lines: Vec::new(),
            end: 0,
        })
    }

    /// Stores a row; returns its number.
    pub fn push(&mut self, row: &OutputRow) -> std::io::Result<usize> {
        let mut line = serde_json::to_vec(row).map_err(std::io::Error::other)?;
        line.push(b'\n');
        if let Lines::Memory(held) = &mut self.lines_at
            && held.len() + line.len() > IN_MEMORY
        {
            let held = std::mem::take(held);
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(true)
                .read(true)
                .write(true)
                .open(&self.path)?;
            let mut writer = BufWriter::with_capacity(1 << 16, file);
            writer.write_all(&held)?;
            self.lines_at = Lines::File {
                // Its own handle, so reading never moves the writer's position.
                reader: Mutex::new(std::fs::File::open(&self.path)?),
                writer,
            };
        }
        match &mut self.lines_at {
            Lines::Memory(held) => held.extend_from_slice(&line),
            Lines::File { writer, .. } => writer.write_all(&line)?,
        }
        self.lines.push((self.end, line.len() as u32));
        self.end += line.len() as u64;
        Ok(self.lines.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Makes every row pushed so far readable.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.lines_at {
            Lines::Memory(_) => Ok(()),
            Lines::File { writer, .. } => writer.flush(),
        }
    }

    /// Row `i` (after `flush`).
    pub fn get(&self, i: usize) -> std::io::Result<OutputRow> {
        let (offset, len) = self.lines[i];
        let row = |bytes: &[u8]| serde_json::from_slice(bytes).map_err(std::io::Error::other);
        match &self.lines_at {
            Lines::Memory(held) => row(&held[offset as usize..offset as usize + len as usize]),
            Lines::File { reader, .. } => {
                let mut buf = vec![0; len as usize];
                {
                    let mut f = reader.lock().unwrap_or_else(|e| e.into_inner());
                    f.seek(std::io::SeekFrom::Start(offset))?;
                    f.read_exact(&mut buf)?;
                }
                row(&buf)
            }
        }
    }
}

impl Drop for RowStore {
    fn drop(&mut self) {
        if let Lines::File { .. } = self.lines_at {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Calls `each` with every row of a manifest file, one at a time, without
/// reading the whole file or all its rows into memory.
pub fn each_manifest_row(
    reader: impl std::io::Read,
    each: impl FnMut(OutputRow),
) -> Result<(), serde_json::Error> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Rows<F>(F);
    impl<'de, F: FnMut(OutputRow)> Visitor<'de> for Rows<F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of manifest rows")
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while let Some(row) = seq.next_element::<OutputRow>()? {
                (self.0)(row);
            }
            Ok(())
        }
    }
    impl<'de, F: FnMut(OutputRow)> DeserializeSeed<'de> for Rows<F> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    struct Manifest<F>(F);
    impl<'de, F: FnMut(OutputRow)> Visitor<'de> for Manifest<F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a leafpress manifest")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut each = Some(self.0);
            while let Some(key) = map.next_key::<String>()? {
                match (key.as_str(), each.take()) {
                    ("outputs", Some(f)) => map.next_value_seed(Rows(f))?,
                    (_, f) => {
                        each = f;
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    serde::Deserializer::deserialize_map(&mut de, Manifest(each))?;
    de.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &str) -> OutputRow {
        OutputRow {
            audience: "a".into(),
            language: "en".into(),
            layout: "flyer".into(),
            format: "pdf".into(),
            variant: None,
            path: path.into(),
            pages: Some(1),
            bytes: 10,
            sha256: "00".into(),
            fingerprint: "ff".into(),
            title: Some("Title — “quoted”\nnext".into()),
            previews: vec!["p.png".into()],
            sizes: [("messages".to_string(), 15.5)].into(),
            warnings: Vec::new(),
            status: crate::manifest::Status::Failed,
            errors: vec!["too long".into()],
            earlier_file: true,
        }
    }

    #[test]
    fn rows_come_back_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = RowStore::create(dir.path(), "rows").unwrap();
        for i in 0..100 {
            store.push(&row(&format!("en/{i}.pdf"))).unwrap();
        }
        store.flush().unwrap();
        assert_eq!(store.get(42).unwrap(), row("en/42.pdf"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "a few rows stay in memory"
        );
        // Rows past a megabyte go to a temp file, the earlier ones with them;
        // reading does not disturb writing.
        let mut n = 100;
        while std::fs::read_dir(dir.path()).unwrap().count() == 0 {
            store.push(&row(&format!("en/{n}.pdf"))).unwrap();
            n += 1;
            assert!(n < 100_000, "the rows never went to disk");
        }
        store.flush().unwrap();
        assert_eq!(store.get(42).unwrap(), row("en/42.pdf"));
        store.push(&row("en/last.pdf")).unwrap();
        store.flush().unwrap();
        assert_eq!(store.get(n).unwrap(), row("en/last.pdf"));
        assert_eq!(store.get(n - 1).unwrap(), row(&format!("en/{}.pdf", n - 1)));
        assert_eq!(store.get(0).unwrap(), row("en/0.pdf"));
        assert_eq!(store.len(), n + 1);
        drop(store);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "temp file removed"
        );
    }

    #[test]
    fn manifest_rows_are_read_one_by_one() {
        let m = crate::manifest::Manifest {
            outputs: vec![row("en/a.pdf"), row("en/b.pdf")],
        };
        let json = serde_json::to_vec_pretty(&m).unwrap();
        let mut seen = Vec::new();
        each_manifest_row(&json[..], |r| seen.push(r.path)).unwrap();
        assert_eq!(seen, ["en/a.pdf", "en/b.pdf"]);
        assert!(each_manifest_row(&b"{\"outputs\": 3}"[..], |_| {}).is_err());
    }
}
