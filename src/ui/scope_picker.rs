//! The scope picker's state, shaped like Azure DevOps' own dialog: one row per scope group with
//! the level chosen for it (none, Read, Read & write, …), the rows the profile needs first, and a
//! filter. No terminal code here.

use crate::domain::profiles::Profile;
use crate::domain::scopes::{Catalogue, Scope};

/// One group of the dialog and the level chosen for it.
#[derive(Debug, Clone)]
pub struct ScopeRow {
    /// "Work Items".
    pub name: String,
    /// The levels, least privilege first.
    pub levels: Vec<&'static Scope>,
    /// 0 is none; `n` is `levels[n - 1]`.
    pub chosen: usize,
    /// The level the integration needs (0: it needs none of this group).
    pub required: usize,
    /// Why the integration needs it, in the guide's words.
    pub why: Option<String>,
}

impl ScopeRow {
    pub fn chosen_scope(&self) -> Option<&'static Scope> {
        self.chosen.checked_sub(1).map(|i| self.levels[i])
    }

    pub fn required_scope(&self) -> Option<&'static Scope> {
        self.required.checked_sub(1).map(|i| self.levels[i])
    }

    /// The chosen level's words ("Read & write"), or "none".
    pub fn level_words(&self) -> &str {
        self.chosen_scope().map_or("none", |s| s.level.as_str())
    }

    /// True when the integration needs a level of this group that the chosen one does not
    /// include.
    pub fn short_of_requirement(&self) -> bool {
        match (self.required_scope(), self.chosen_scope()) {
            (Some(needed), Some(chosen)) => !Catalogue::get().implies(&chosen.id, &needed.id),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// True when the chosen level grants more than the integration needs.
    pub fn beyond_requirement(&self) -> bool {
        match (self.chosen_scope(), self.required_scope()) {
            (Some(chosen), Some(needed)) => chosen.id != needed.id,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    pub fn high_privilege(&self) -> bool {
        self.chosen_scope().is_some_and(|s| s.high_privilege)
    }

    /// The level Space turns on: the one the integration needs, else the least.
    fn suggested(&self) -> usize {
        self.required.max(1)
    }

    /// True if `filter` (already lower case) names the group, one of its levels or scope ids.
    fn matches(&self, filter: &str) -> bool {
        filter.is_empty()
            || self.name.to_lowercase().contains(filter)
            || self.levels.iter().any(|s| {
                s.level.to_lowercase().contains(filter)
                    || s.id.contains(filter)
                    || s.name.to_lowercase().contains(filter)
            })
    }
}

/// Step 3.
#[derive(Debug, Clone, Default)]
pub struct ScopesStep {
    pub rows: Vec<ScopeRow>,
    /// The position in the rows the filter lets through.
    pub cursor: usize,
    pub full_access: bool,
    /// What the filter lets through (empty: everything).
    pub filter: String,
    /// `/` was pressed and letters go into the filter.
    pub filtering: bool,
}

impl ScopesStep {
    /// The dialog's rows with `chosen` set: the profile's groups first, in the guide's order
    /// (least privilege first), then the rest in the dialog's order.
    pub fn new(profile: Option<&Profile>, chosen: &[String]) -> ScopesStep {
        let mut rows: Vec<ScopeRow> = Catalogue::get()
            .dialog_rows()
            .into_iter()
            .map(|row| {
                let position = |wanted: &dyn Fn(&str) -> bool| {
                    row.levels
                        .iter()
                        .rposition(|s| wanted(&s.id))
                        .map_or(0, |i| i + 1)
                };
                let required = position(&|id| profile.is_some_and(|p| p.why(id).is_some()));
                let why = row
                    .levels
                    .get(required.wrapping_sub(1))
                    .and_then(|s| profile.and_then(|p| p.why(&s.id)))
                    .map(str::to_string);
                ScopeRow {
                    chosen: position(&|id| chosen.iter().any(|c| c == id)),
                    name: row.name,
                    levels: row.levels,
                    required,
                    why,
                }
            })
            .collect();
        let order: Vec<String> = profile.map(|p| p.scope_ids()).unwrap_or_default();
        rows.sort_by_key(|r| {
            let rank = order
                .iter()
                .position(|id| r.levels.iter().any(|s| s.id == *id))
                .unwrap_or(usize::MAX);
            (r.required == 0 && r.chosen == 0, rank)
        });
        ScopesStep {
            rows,
            ..ScopesStep::default()
        }
    }

    /// The scopes chosen, one per row with a level.
    pub fn ticked(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter_map(ScopeRow::chosen_scope)
            .map(|s| s.id.clone())
            .collect()
    }

    /// What the token is created with (by hand from the guide, or by patwiz): each row's
    /// chosen level, but the needed level where the row was set lower, so the guide never asks
    /// for a token that cannot work. `true` marks a row raised to what the integration needs.
    pub fn to_create(&self) -> Vec<(&'static Scope, bool)> {
        self.rows
            .iter()
            .filter_map(|row| match row.required_scope() {
                Some(needed) if row.short_of_requirement() => Some((needed, true)),
                _ => row.chosen_scope().map(|s| (s, false)),
            })
            .collect()
    }

    /// What a run proves: every chosen scope, and every one the integration needs even when
    /// its row was set lower (the integration needs it whatever the checklist says).
    pub fn to_prove(&self) -> Vec<String> {
        let mut ids = self.ticked();
        for row in self.rows.iter().filter(|r| r.short_of_requirement()) {
            if let Some(needed) = row.required_scope() {
                ids.push(needed.id.clone());
            }
        }
        ids
    }

    /// The rows the filter lets through, as indexes into `rows`.
    pub fn visible(&self) -> Vec<usize> {
        let filter = self.filter.to_lowercase();
        (0..self.rows.len())
            .filter(|&i| self.rows[i].matches(&filter))
            .collect()
    }

    /// The row under the cursor.
    pub fn current(&self) -> Option<&ScopeRow> {
        self.visible().get(self.cursor).map(|&i| &self.rows[i])
    }

    pub fn current_mut(&mut self) -> Option<&mut ScopeRow> {
        let i = *self.visible().get(self.cursor)?;
        self.rows.get_mut(i)
    }

    /// Moves the cursor by `delta` rows, staying on the list.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible().len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    pub fn move_to_end(&mut self) {
        self.cursor = self.visible().len().saturating_sub(1);
    }

    /// One level up (`+1`) or down (`-1`) on the current row, none below the least.
    pub fn step_level(&mut self, delta: isize) {
        if let Some(row) = self.current_mut() {
            row.chosen = row
                .chosen
                .saturating_add_signed(delta)
                .min(row.levels.len());
        }
    }

    /// Space: none, or back to the level the integration needs (else the least).
    pub fn toggle(&mut self) {
        if let Some(row) = self.current_mut() {
            row.chosen = if row.chosen == 0 { row.suggested() } else { 0 };
        }
    }

    pub fn type_filter(&mut self, c: char) {
        if self.filter.chars().count() < 40 && !c.is_control() {
            self.filter.push(c);
            self.cursor = 0;
        }
    }

    pub fn erase_filter(&mut self) {
        self.filter.pop();
        self.cursor = 0;
    }

    /// Esc while filtering: the filter goes, the cursor stays on the row it was on.
    pub fn clear_filter(&mut self) {
        let row = self.visible().get(self.cursor).copied();
        self.filter.clear();
        self.filtering = false;
        self.cursor = row.unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profiles;

    fn git_zen() -> ScopesStep {
        let profile = profiles::find("git-zen").unwrap();
        ScopesStep::new(Some(&profile), &profile.scope_ids())
    }

    #[test]
    fn the_profiles_groups_come_first_at_the_level_it_needs() {
        let step = git_zen();
        let first = &step.rows[0];
        assert!(first.required > 0 && first.chosen == first.required);
        assert!(!step.rows.iter().any(ScopeRow::short_of_requirement));
        assert!(!step.rows.iter().any(ScopeRow::beyond_requirement));
        assert_eq!(
            step.ticked().len(),
            step.rows.iter().filter(|r| r.chosen > 0).count()
        );
    }

    #[test]
    fn levels_move_within_the_group_and_space_turns_a_row_off_and_on() {
        let mut step = git_zen();
        let needed = step.rows[0].chosen;
        step.step_level(-1);
        assert_eq!(step.rows[0].chosen, needed - 1);
        assert!(step.rows[0].short_of_requirement());
        // Still proven: the integration needs it.
        let needed_id = step.rows[0].required_scope().unwrap().id.clone();
        assert!(step.to_prove().contains(&needed_id));
        for _ in 0..10 {
            step.step_level(1);
        }
        assert_eq!(step.rows[0].chosen, step.rows[0].levels.len());
        step.toggle();
        assert_eq!(step.rows[0].chosen, 0);
        step.toggle();
        assert_eq!(step.rows[0].chosen, needed);
        for _ in 0..10 {
            step.step_level(-1);
        }
        assert_eq!(step.rows[0].chosen, 0);
    }

    #[test]
    fn a_needed_scope_left_out_is_still_what_the_token_is_created_with() {
        let mut step = git_zen();
        let needed = step.rows[0].required_scope().unwrap();
        step.toggle(); // the first needed group off
        assert!(!step.ticked().contains(&needed.id));
        let create: Vec<(&str, bool)> = step
            .to_create()
            .iter()
            .map(|(s, raised)| (s.id.as_str(), *raised))
            .collect();
        assert!(
            create.contains(&(needed.id.as_str(), true)),
            "raised to the need"
        );
        assert_eq!(create.len(), git_zen().ticked().len());
        assert!(
            create
                .iter()
                .filter(|(id, _)| *id != needed.id)
                .all(|(_, raised)| !raised)
        );
        step.toggle();
        step.step_level(1); // more than needed: the person's choice stands
        let chosen = step.rows[0].chosen_scope().unwrap();
        assert!(
            step.to_create()
                .iter()
                .any(|(s, raised)| s.id == chosen.id && !raised)
        );
    }

    #[test]
    fn the_filter_finds_groups_by_name_level_or_id_and_keeps_the_cursor_on_the_list() {
        let mut step = git_zen();
        for c in "servicxx".chars() {
            step.type_filter(c);
        }
        assert!(step.visible().is_empty(), "no such group");
        step.erase_filter();
        step.erase_filter();
        assert_eq!(step.current().unwrap().name, "Service Connections");
        step.move_by(5);
        assert_eq!(step.cursor, step.visible().len() - 1);
        step.clear_filter();
        assert_eq!(step.current().unwrap().name, "Service Connections");
        "vso.threads".chars().for_each(|c| step.type_filter(c));
        assert_eq!(step.current().unwrap().name, "Pull Request Threads");
    }
}
