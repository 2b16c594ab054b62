//! zixun-search: the tantivy index with a jieba tokenizer. It follows the store by `seq` and
//! can always be rebuilt from it; it owns nothing the store lacks.

mod highlight;
mod index;
mod query;
mod schema;
mod tokenizer;
mod vectors;

pub use index::{SearchError, SearchIndex};
pub use query::{MAX_QUERY_CHARS, SearchHit, SearchRequest, SearchResults, SortOrder, clean_query_for_display};
pub use tokenizer::JiebaTokenizer;
pub use vectors::{Candidate, TermVectorIndex};
