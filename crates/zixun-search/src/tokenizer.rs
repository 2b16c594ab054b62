//! The tantivy side of [`TextAnalyzer::index_tokens`]: fine and coarse cut, normalised.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use zixun_core::TextAnalyzer;

/// Name under which the tokenizer is registered (it is not stored in the index: it must be
/// registered every time the index is opened).
pub const TOKENIZER_NAME: &str = "zixun_jieba";

#[derive(Clone)]
pub struct JiebaTokenizer {
    pub analyzer: Arc<TextAnalyzer>,
}

pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = self
            .analyzer
            .index_tokens(text)
            .into_iter()
            .map(|t| Token {
                offset_from: t.offset_from,
                offset_to: t.offset_to,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}
