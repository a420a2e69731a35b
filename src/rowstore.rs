//! Manifest rows kept on disk while a batch runs: one line of JSON per row in a
//! temporary file beside the outputs, and in memory only where each line is. A
//! batch of 10,000 audiences has 30,000 rows, twice over (this build's and the
//! last manifest's); held as structs they were a third of the batch's memory.

use crate::batch::OutputRow;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct RowStore {
    path: PathBuf,
    writer: BufWriter<std::fs::File>,
    /// A second handle for reading (behind a lock: jobs read rows concurrently).
    reader: Mutex<std::fs::File>,
    /// Offset and length of each row's line.
    lines: Vec<(u64, u32)>,
    end: u64,
}

impl RowStore {
    /// A new, empty store: a temp file in `dir`, removed when the store is dropped.
    pub fn create(dir: &Path, name: &str) -> std::io::Result<RowStore> {
        let path = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)?;
        Ok(RowStore {
            // Its own handle, so reading never moves the writer's position.
            reader: Mutex::new(std::fs::File::open(&path)?),
            writer: BufWriter::with_capacity(1 << 16, file),
            path,
            lines: Vec::new(),
            end: 0,
        })
    }

    /// Stores a row; returns its number.
    pub fn push(&mut self, row: &OutputRow) -> std::io::Result<usize> {
        let mut line = serde_json::to_vec(row).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.writer.write_all(&line)?;
        self.lines.push((self.end, line.len() as u32));
        self.end += line.len() as u64;
        Ok(self.lines.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Makes every row pushed so far readable.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }

    /// Row `i` (after `flush`).
    pub fn get(&self, i: usize) -> std::io::Result<OutputRow> {
        let (offset, len) = self.lines[i];
        let mut buf = vec![0; len as usize];
        {
            let mut f = self.reader.lock().unwrap_or_else(|e| e.into_inner());
            f.seek(std::io::SeekFrom::Start(offset))?;
            f.read_exact(&mut buf)?;
        }
        serde_json::from_slice(&buf).map_err(std::io::Error::other)
    }
}

impl Drop for RowStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
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
            warnings: Vec::new(),
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
        // Reading does not disturb writing.
        store.push(&row("en/last.pdf")).unwrap();
        store.flush().unwrap();
        assert_eq!(store.get(100).unwrap(), row("en/last.pdf"));
        assert_eq!(store.get(0).unwrap(), row("en/0.pdf"));
        assert_eq!(store.len(), 101);
        drop(store);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "temp file removed"
        );
    }

    #[test]
    fn manifest_rows_are_read_one_by_one() {
        let m = crate::batch::Manifest {
            outputs: vec![row("en/a.pdf"), row("en/b.pdf")],
        };
        let json = serde_json::to_vec_pretty(&m).unwrap();
        let mut seen = Vec::new();
        each_manifest_row(&json[..], |r| seen.push(r.path)).unwrap();
        assert_eq!(seen, ["en/a.pdf", "en/b.pdf"]);
        assert!(each_manifest_row(&b"{\"outputs\": 3}"[..], |_| {}).is_err());
    }
}
