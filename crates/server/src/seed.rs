//! `switchboard seed --demo`: a believable support desk for a first look.

use crate::state::AppState;

pub async fn demo(_state: &AppState) -> anyhow::Result<()> {
    anyhow::bail!("demo data arrives with the tickets issue")
}
