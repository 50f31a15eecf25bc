//! SQLite databases copied off a phone (Microsoft Authenticator, Google Authenticator, Stratum),
//! read with the bundled SQLite through rusqlite.
//!
//! The bytes are opened in memory, read-only, never as a file; SQLite's defences for untrusted
//! databases are on (defensive mode, untrusted schema, cell size checks), only real tables are
//! read (a view could hide arbitrary work), and a progress handler stops any statement that runs
//! for more than a bounded number of steps.

use super::{Format, ImportError, MAX_ENTRIES};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, config::DbConfig};

/// The first bytes of every SQLite 3 database file.
pub const MAGIC: &[u8] = b"SQLite format 3\0";
/// Virtual machine steps one import may run (a few million at most for 10,000 rows).
const MAX_STEPS: u64 = 200_000_000;
/// Steps between two checks of the budget.
const STEP_BATCH: i32 = 10_000;

/// A database opened from bytes.
pub struct Db {
    conn: Connection,
    app: &'static str,
}

/// One row's values, by the column names asked for (missing columns are NULL); text and blobs
/// are wiped on drop, as they hold secrets.
pub struct Row(pub Vec<Value>);

impl Drop for Row {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for v in &mut self.0 {
            match v {
                Value::Text(s) => s.zeroize(),
                Value::Blob(b) => b.zeroize(),
                _ => {}
            }
        }
    }
}

impl Row {
    /// Column `i` as text (numbers written out; NULL and blobs are empty).
    pub fn text(&self, i: usize) -> String {
        self.0.get(i).map(text).unwrap_or_default()
    }

    /// Column `i` as a number, if it is one (or text holding one).
    pub fn int(&self, i: usize) -> Option<i64> {
        self.0.get(i).and_then(int)
    }

    /// Column `i` as text in a buffer wiped on drop (for secrets).
    pub fn secret(&self, i: usize) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(self.text(i))
    }
}

impl Db {
    /// Opens `bytes` as a read-only in-memory database; `app` names the app in errors.
    pub fn open(bytes: &[u8], app: &'static str) -> Result<Self, ImportError> {
        if !bytes.starts_with(MAGIC) {
            return Err(ImportError::malformed(app, "not a SQLite database"));
        }
        let fail = |e: rusqlite::Error| {
            ImportError::malformed(app, format!("the database cannot be read ({e})"))
        };
        if let Some(expected) = declared_size(bytes)
            && (bytes.len() as u64) < expected
        {
            return Err(ImportError::malformed(
                app,
                format!(
                    "the database is truncated ({} of its {expected} bytes); copy it again",
                    bytes.len()
                ),
            ));
        }
        let mut conn = Connection::open_with_flags(
            ":memory:",
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(fail)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
            .map_err(fail)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
            .map_err(fail)?;
        // A database in WAL mode (Stratum's) opens from memory only as a rollback-journal one;
        // bytes 18 and 19 say which, so the copy is switched (what the WAL file held is lost).
        let mut copy = zeroize::Zeroizing::new(bytes.to_vec());
        if copy.get(18..20) == Some(&[2, 2]) {
            copy[18] = 1;
            copy[19] = 1;
        }
        conn.deserialize_read_exact("main", copy.as_slice(), copy.len(), true)
            .map_err(fail)?;
        conn.pragma_update(None, "cell_size_check", true)
            .map_err(fail)?;
        conn.pragma_update(None, "query_only", true).map_err(fail)?;
        let mut steps = 0u64;
        conn.progress_handler(
            STEP_BATCH,
            Some(move || {
                steps += STEP_BATCH as u64;
                steps > MAX_STEPS
            }),
        )
        .map_err(fail)?;
        Ok(Db { conn, app })
    }

    fn fail(&self, e: rusqlite::Error) -> ImportError {
        ImportError::malformed(self.app, format!("the database cannot be read ({e})"))
    }

    /// The names of the real tables (not views), sorted.
    pub fn tables(&self) -> Result<Vec<String>, ImportError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .map_err(|e| self.fail(e))?;
        let names = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| self.fail(e))?
            .take(256)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.fail(e))?;
        Ok(names)
    }

    /// The column names of `table`.
    pub fn columns(&self, table: &str) -> Result<Vec<String>, ImportError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .map_err(|e| self.fail(e))?;
        let names = stmt
            .query_map([table], |row| row.get::<_, String>(0))
            .map_err(|e| self.fail(e))?
            .take(1024)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.fail(e))?;
        Ok(names)
    }

    /// Every row of the real table `table` (`rowid` order), with `wanted` columns; a missing
    /// table is a malformed file, a missing column reads as NULL.
    pub fn rows(&self, table: &str, wanted: &[&str]) -> Result<Vec<Row>, ImportError> {
        if !self.tables()?.iter().any(|t| t == table) {
            return Err(ImportError::malformed(
                self.app,
                format!("the database has no \"{table}\" table"),
            ));
        }
        let present = self.columns(table)?;
        let select: Vec<String> = wanted
            .iter()
            .map(|c| {
                if present.iter().any(|p| p == c) {
                    format!("\"{c}\"")
                } else {
                    "NULL".to_string()
                }
            })
            .collect();
        // Names come from our own constants and a table that exists; quoting keeps them literal.
        let sql = format!("SELECT {} FROM \"{table}\"", select.join(", "));
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.fail(e))?;
        let n = wanted.len();
        let mut rows = stmt.query([]).map_err(|e| self.fail(e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.fail(e))? {
            if out.len() >= MAX_ENTRIES {
                return Err(ImportError::TooManyEntries);
            }
            let mut values = Vec::with_capacity(n);
            for i in 0..n {
                values.push(row.get::<_, Value>(i).map_err(|e| self.fail(e))?);
            }
            out.push(Row(values));
        }
        Ok(out)
    }
}

/// The file size the header declares (page size × page count), when the header vouches for it
/// (its "version valid for" equals the change counter, as SQLite 3.7+ writes it).
fn declared_size(bytes: &[u8]) -> Option<u64> {
    let be32 = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let page = match u16::from_be_bytes([*bytes.get(16)?, *bytes.get(17)?]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(be32(28)?);
    (be32(24)? == be32(92)? && pages > 0).then_some(page * pages)
}

/// Which app's database this is, by its tables and columns.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    let db = Db::open(bytes, "SQLite database")?;
    let tables = db.tables()?;
    let has = |t: &str| tables.iter().any(|n| n == t);
    if has("accounts") {
        let columns = db.columns("accounts")?;
        let col = |c: &str| columns.iter().any(|n| n == c);
        if col("oath_secret_key") {
            return Ok(Format::Microsoft);
        }
        if col("secret") && col("email") {
            return Ok(Format::Google);
        }
    }
    if has("authenticator") {
        return Ok(Format::Stratum);
    }
    let mut shown: Vec<&str> = tables.iter().map(String::as_str).take(8).collect();
    if tables.len() > shown.len() {
        shown.push("…");
    }
    Err(ImportError::UnknownFormat(format!(
        "a SQLite database (tables: {}) that is not Microsoft Authenticator's, Google \
         Authenticator's or Stratum's",
        if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(", ")
        }
    )))
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Null | Value::Blob(_) => String::new(),
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(n) => Some(*n),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}
