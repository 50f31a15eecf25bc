//! The one Java-serialized object Latchkey reads: a `java.util.HashMap<String, String>`, which
//! is what FreeOTP 2 writes as its backup (`ObjectOutputStream` of its preferences map).
//!
//! Read by the Java Object Serialization Stream Protocol, for exactly that shape: the stream
//! magic, `TC_OBJECT`, the `HashMap` class description (its fields and annotation skipped, no
//! superclass), the field values, then the map's own block (`capacity`, `size`) and `size`
//! key/value pairs of strings (`TC_STRING`, `TC_LONGSTRING`, or `TC_REFERENCE` to an earlier
//! string). Strings are Java's modified UTF-8. Anything else is refused; nothing is
//! instantiated, so no gadget can run.

use std::collections::HashMap;

const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_LONGSTRING: u8 = 0x7C;
const BASE_HANDLE: u32 = 0x7E_0000;
/// Most pairs read (a backup holds two per token plus the master key).
const MAX_PAIRS: usize = 2 * super::MAX_ENTRIES + 16;

/// Why the stream is not the expected map; the text says where.
#[derive(Debug)]
pub struct Error(pub String);

fn err<T>(what: impl Into<String>) -> Result<T, Error> {
    Err(Error(what.into()))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Objects by handle: `Some` for strings, `None` for the class and the map.
    handles: Vec<Option<String>>,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let out = &self.bytes[self.at..end];
                self.at = end;
                Ok(out)
            }
            None => err(format!("the stream ends early (at byte {})", self.at)),
        }
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn utf(&mut self, len: usize) -> Result<String, Error> {
        let raw = self.take(len)?;
        cesu8::from_java_cesu8(raw)
            .map(|s| s.into_owned())
            .map_err(|_| Error("a string is not modified UTF-8".into()))
    }

    fn short_utf(&mut self) -> Result<String, Error> {
        let len = self.u16()? as usize;
        self.utf(len)
    }

    /// A string object (new or a reference to an earlier one).
    fn string(&mut self) -> Result<String, Error> {
        let s = match self.u8()? {
            TC_STRING => self.short_utf()?,
            TC_LONGSTRING => {
                let b = self.take(8)?;
                let len = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                let len = usize::try_from(len).map_err(|_| Error("a string is too long".into()))?;
                self.utf(len)?
            }
            TC_REFERENCE => {
                let handle = self.u32()?;
                let index = handle.checked_sub(BASE_HANDLE).map(|i| i as usize);
                return match index.and_then(|i| self.handles.get(i)) {
                    Some(Some(s)) => Ok(s.clone()),
                    _ => err("a reference to something that is not a string"),
                };
            }
            other => return err(format!("expected a string, found tag 0x{other:02x}")),
        };
        self.handles.push(Some(s.clone()));
        Ok(s)
    }

    /// The `HashMap` class description; returns the byte length of its primitive fields.
    fn class_desc(&mut self) -> Result<usize, Error> {
        if self.u8()? != TC_CLASSDESC {
            return err("expected a class description");
        }
        let name = self.short_utf()?;
        if name != "java.util.HashMap" {
            return err(format!("the object is a {name}, not a java.util.HashMap"));
        }
        self.take(8)?; // serialVersionUID
        self.handles.push(None);
        self.u8()?; // flags
        let mut size = 0;
        for _ in 0..self.u16()? {
            let kind = self.u8()?;
            self.short_utf()?;
            size += match kind {
                b'B' | b'Z' => 1,
                b'C' | b'S' => 2,
                b'F' | b'I' => 4,
                b'D' | b'J' => 8,
                _ => return err(format!("unexpected field type {}", kind as char)),
            };
        }
        if self.u8()? != TC_ENDBLOCKDATA {
            return err("the class has annotations");
        }
        if self.u8()? != TC_NULL {
            return err("the class has a serializable superclass");
        }
        Ok(size)
    }
}

/// Reads a serialized `HashMap<String, String>`.
pub fn hash_map(bytes: &[u8]) -> Result<HashMap<String, String>, Error> {
    let mut r = Reader {
        bytes,
        at: 0,
        handles: Vec::new(),
    };
    if r.take(4)? != super::detect::JAVA_MAGIC {
        return err("not a Java serialization stream");
    }
    if r.u8()? != TC_OBJECT {
        return err("the stream does not start with an object");
    }
    let fields = r.class_desc()?;
    r.handles.push(None);
    r.take(fields)?;
    if r.u8()? != TC_BLOCKDATA || r.u8()? != 8 {
        return err("the map's size block is missing");
    }
    r.u32()?; // capacity
    let size = r.u32()? as usize;
    if size > MAX_PAIRS {
        return err(format!("{size} entries is too many"));
    }
    let mut map = HashMap::with_capacity(size);
    for _ in 0..size {
        let key = r.string()?;
        let value = r.string()?;
        map.insert(key, value);
    }
    Ok(map)
}
