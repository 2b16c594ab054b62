//! The site's 敏感词 file ([`WordList`]'s format), read again whenever it changes: an edit takes
//! effect at the next write, in every process, with no restart.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::SystemTime,
};

use parking_lot::Mutex;
use zixun_core::words::{WordLineError, WordList};

#[derive(Debug, thiserror::Error)]
#[error("cannot read the sensitive-word list {path}: {source}")]
pub struct WordsError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Reads and compiles the list at `path`; bad lines come back beside it.
pub fn read_word_list(path: &Path) -> Result<(WordList, Vec<WordLineError>), WordsError> {
    let text = std::fs::read_to_string(path).map_err(|source| WordsError { path: path.to_owned(), source })?;
    Ok(WordList::parse(&text))
}

/// What the file was when it was last read: a change of either means read it again.
type Stamp = (Option<SystemTime>, u64);

fn stamp(path: &Path) -> std::io::Result<Stamp> {
    let meta = std::fs::metadata(path)?;
    Ok((meta.modified().ok(), meta.len()))
}

/// The list a site writes with: none, or a file followed as it changes.
pub struct SensitiveWords {
    path: Option<PathBuf>,
    loaded: Mutex<(Arc<WordList>, Option<Stamp>)>,
}

impl Default for SensitiveWords {
    fn default() -> Self {
        SensitiveWords::none()
    }
}

impl SensitiveWords {
    pub fn none() -> Self {
        SensitiveWords::fixed(WordList::default())
    }

    /// A fixed list, not read from a file (tests, fuzzing).
    pub fn fixed(list: WordList) -> Self {
        SensitiveWords { path: None, loaded: Mutex::new((Arc::new(list), None)) }
    }

    /// A list that can be read now (a missing file is a mistake in the settings, said at
    /// start); its bad lines are logged with their numbers and skipped.
    pub fn open(path: PathBuf) -> Result<Self, WordsError> {
        let words = SensitiveWords::none();
        let stamp = stamp(&path).map_err(|source| WordsError { path: path.clone(), source })?;
        let list = Self::read(&path)?;
        *words.loaded.lock() = (list, Some(stamp));
        Ok(SensitiveWords { path: Some(path), ..words })
    }

    fn read(path: &Path) -> Result<Arc<WordList>, WordsError> {
        let (list, errors) = read_word_list(path)?;
        for e in &errors {
            tracing::warn!(file = %path.display(), line = e.line, reason = %e.reason, "sensitive-word line skipped");
        }
        let (block, review, replace) = list.counts();
        tracing::info!(file = %path.display(), block, review, replace, "sensitive words loaded");
        Ok(Arc::new(list))
    }

    /// The list as the file holds it now. A file that changed is read again (a `stat` a call:
    /// nothing beside an article's analysis); one that cannot be read keeps the last list.
    pub fn current(&self) -> Arc<WordList> {
        let Some(path) = &self.path else { return self.loaded.lock().0.clone() };
        let mut loaded = self.loaded.lock();
        match stamp(path) {
            Ok(now) if Some(now) != loaded.1 => match Self::read(path) {
                Ok(list) => *loaded = (list, Some(now)),
                Err(e) => tracing::warn!(error = %e, "sensitive words kept as they were"),
            },
            Ok(_) => {}
            Err(e) => tracing::warn!(file = %path.display(), error = %e, "sensitive words kept as they were"),
        }
        loaded.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_file_is_read_at_the_next_use() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("words.txt");
        std::fs::write(&path, "甲词 block\n").expect("write");
        let words = SensitiveWords::open(path.clone()).expect("open");
        assert_eq!(words.current().counts(), (1, 0, 0));
        // Longer, so the size changes even where the clock's grain hides the new time.
        std::fs::write(&path, "甲词 review\n乙词 replace\n坏行\n").expect("write");
        assert_eq!(words.current().counts(), (0, 1, 1));
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(words.current().counts(), (0, 1, 1), "a file gone keeps the last list");
        assert!(SensitiveWords::open(dir.path().join("missing.txt")).is_err());
        assert!(SensitiveWords::none().current().is_empty());
    }
}
