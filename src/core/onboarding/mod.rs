//! Learning the runbook: the walkthrough's steps on the page in view (`tour`), the exercises of
//! the bundled practice pages (`practice`) and the searchable glossary (`glossary`).

pub mod glossary;
pub mod practice;
pub mod tour;
