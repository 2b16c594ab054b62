//! What linking an article to its story needs, taken from a draft or a stored row (the rule
//! itself is `zixun_core::story`'s; each backend finds the candidates).

use zixun_core::{ArticleDraft, ArticleStatus};

#[derive(Debug, Clone, Copy)]
pub(crate) struct StoryFacts {
    pub simhash: u64,
    pub original: bool,
    pub published: bool,
    pub published_at: i64,
}

impl StoryFacts {
    pub(crate) fn of(d: &ArticleDraft) -> Self {
        StoryFacts {
            simhash: d.simhash,
            original: d.original,
            published: d.status == ArticleStatus::Published,
            published_at: d.published_at,
        }
    }
}
