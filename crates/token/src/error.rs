//! Why the data folder's token files could not be read or changed.

use std::path::PathBuf;

use crate::files::FileError;
use crate::id::KeyId;
use crate::key::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("cannot use {0}")]
    Io(#[from] FileError),
    #[error(transparent)]
    Key(#[from] SecretError),
    /// A line of the registry or the revocation list that the hub did not write.
    #[error(
        "{}, line {line}: {why}. The file was altered or damaged: restore it from a backup, or \
         mend the line by hand (one JSON object per line)",
        path.display()
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        why: String,
    },
    /// `hub token revoke` with an id nobody minted here.
    #[error("no token {id:?} in {}: `hub token list` shows the ids", path.display())]
    NoSuchToken { id: String, path: PathBuf },
    /// `hub token rotate` while a previous key is still accepted: rotating again would retire it
    /// without being asked.
    #[error(
        "the previous key {previous} is still accepted (tokens it signed keep working): retire it \
         first with `hub token retire-previous`, or rotate with --retire-previous to do both — \
         either way, tablets whose tokens it signed are cut off"
    )]
    PreviousStillAccepted { previous: KeyId },
    #[error("no randomness for a token id: {0}")]
    Entropy(getrandom::Error),
}
