//! The index's fields.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::tokenizer::TOKENIZER_NAME;

#[derive(Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    /// The body, indexed (not stored).
    pub body: Field,
    /// The body's first [`crate::highlight::SNIPPET_SOURCE_CHARS`] characters, stored for
    /// snippets: a hit reads and searches that much, not a 40,000-character notice.
    pub body_lead: Field,
    pub author: Field,
    pub source: Field,
    pub category: Field,
    pub keywords: Field,
    /// Exact category and source, for filters.
    pub category_key: Field,
    pub source_key: Field,
    pub published_at: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let opts = TextOptions::default().set_indexing_options(indexing);
        if stored { opts.set_stored() } else { opts }
    };
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text(true)),
        body: b.add_text_field("body", text(false)),
        body_lead: b.add_text_field("body_lead", STORED),
        author: b.add_text_field("author", text(false)),
        source: b.add_text_field("source", text(false)),
        category: b.add_text_field("category", text(false)),
        keywords: b.add_text_field("keywords", text(false)),
        category_key: b.add_text_field("category_key", STRING),
        source_key: b.add_text_field("source_key", STRING),
        published_at: b.add_i64_field("published_at", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}
