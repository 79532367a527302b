/* The pre-tokenizer rules of every tokenizer.ggml.pre name that llama.cpp
 * (the 2026 snapshot's llama-vocab.cpp) accepts for BPE vocabularies: the
 * regexes it splits with, in order, and the per-name flags that change how
 * the words become tokens. Regexes that llama.cpp recognises by their text
 * and runs as hand-written code (GPT-2, Llama 3, Qwen 2, Qwen 3.5, Kimi K2,
 * AFMoE digits, newline runs) are hand-written in ai/tok_pre.c too; the
 * others run on ai/tok_regex.c. */
#include <stddef.h>

#include "ai/tok_pre.h"

/* llama.cpp pre types: llama3 */
static const char *const rs_llama3[] = {
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: jais2 */
static const char *const rs_jais2[] = {
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|\\s{32}(?!\\S)|\\s{16}(?!\\S)|\\s{8}(?!\\S)|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}",
	NULL};
/* llama.cpp pre types: deepseek_llm */
static const char *const rs_deepseek_llm[] = {
	"[\r\n]",
	"\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
	"\\s?[!-/:-~！-／：-～‘-‟　-。]+",
	"\\s+$",
	"[一-龥ࠀ-一가-퟿]+",
	"\\p{N}+",
	NULL};
/* llama.cpp pre types: deepseek3_llm hunyuan_dense joyai_llm */
static const char *const rs_deepseek3_llm[] = {
	"\\p{N}{1,3}",
	"[一-龥぀-ゟ゠-ヿ]+",
	"[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: youtu */
static const char *const rs_youtu[] = {
	"[가-힣ㄱ-ㆎ]+|[！…“”‘’—：；，、-〿︰-﹏]+|[ㄅ-ㄯ]+|[一-龥぀-ゟ゠-ヿ]+",
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: deepseek_coder */
static const char *const rs_deepseek_coder[] = {
	"[\r\n]",
	"\\s?\\p{L}+",
	"\\s?\\p{P}+",
	"[一-龥ࠀ-一가-퟿]+",
	"\\p{N}",
	NULL};
/* llama.cpp pre types: falcon */
static const char *const rs_falcon[] = {
	"[\\p{P}\\$\\+<=>\\^~\\|`]+",
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
	"[0-9][0-9][0-9]",
	NULL};
/* llama.cpp pre types: starcoder refact command_r smollm codeshell exaone minerva mellum2 */
static const char *const rs_starcoder[] = {
	"\\p{N}",
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
	NULL};
/* llama.cpp pre types: gpt2 mpt olmo jais trillion granite_docling */
static const char *const rs_gpt2[] = {
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
	NULL};
/* llama.cpp pre types: stablelm2 qwen2 hunyuan solar_open */
static const char *const rs_stablelm2[] = {
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: qwen35 */
static const char *const rs_qwen35[] = {
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: poro bloom gpt3_finnish */
static const char *const rs_poro[] = {
	" ?[^(\\s|.,!?…。，、।۔،)]+",
	NULL};
/* llama.cpp pre types: viking */
static const char *const rs_viking[] = {
	" ?[^(\\s|.,!?…。，、।۔،)]+",
	"\\p{N}",
	NULL};
/* llama.cpp pre types: tekken */
static const char *const rs_tekken[] = {
	"[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: chameleon */
static const char *const rs_chameleon[] = {
	"<sentinel:[0-9]+>",
	"(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
	"([\\t\\n]|    |  )",
	"\\p{N}",
	"[\\p{P}!-/:-@\\[-`{-~]",
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
	NULL};
/* llama.cpp pre types: gpt4o minimax_m2 */
static const char *const rs_gpt4o[] = {
	"[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: granite_emb_multi */
static const char *const rs_granite_emb_multi[] = {
	"[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))*((?=[\\p{L}\\p{M}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))+((?=[\\p{L}\\p{M}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: tiny_aya */
static const char *const rs_tiny_aya[] = {
	"\\d{1,3}(?=(?:\\d{3})*\\b)",
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: kimi_k2 */
static const char *const rs_kimi_k2[] = {
	"\\p{Han}+",
	NULL};
/* llama.cpp pre types: superbpe */
static const char *const rs_superbpe[] = {
	"\\p{N}+",
	"(?=(\\d{3})+(?!\\d))",
	NULL};
/* llama.cpp pre types: bailingmoe */
static const char *const rs_bailingmoe[] = {
	"'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: seed_coder */
static const char *const rs_seed_coder[] = {
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: afmoe */
static const char *const rs_afmoe[] = {
	"\\p{AFMoE_digits}",
	"[一-鿿㐀-䶿豈-﫿぀-ゟ゠-ヿ･-ﾟ⼀-⿟เ-๿຀-໿ក-៿က-႟ꩠ-ꩿꧠ-꧿가-힯ᄀ-ᇿ]+",
	"[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: laguna */
static const char *const rs_laguna[] = {
	"[^\\n]+|[\\n]+",
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: exaone_moe */
static const char *const rs_exaone_moe[] = {
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: \\p{L}\\p{M}*)*)+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: gemma4 */
static const char *const rs_gemma4[] = {
	"[^\\n]+|[\\n]+",
	NULL};
/* llama.cpp pre types: minicpm5 */
static const char *const rs_minicpm5[] = {
	"\\p{N}{1,3}",
	"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	NULL};
/* llama.cpp pre types: whitespace */
static const char *const rs_whitespace[] = {
	"\\S+",
	NULL};
/* llama.cpp pre types: default */
static const char *const rs_default[] = {
	"[\\p{P}\\$\\+<=>\\^~\\|]+",
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
	"\\p{N}+",
	"[0-9][0-9][0-9]",
	NULL};

#define IM TOK_PRE_IGNORE_MERGES
#define AB TOK_PRE_ADD_BOS

/* In llama.cpp's order of tests. */
const struct tok_pre_def tok_pre_defs[] = {
	{"default", rs_default, 0},
	{"minicpm5", rs_minicpm5, IM},
	{"llama3", rs_llama3, IM | AB},
	{"llama-v3", rs_llama3, IM | AB},
	{"llama-bpe", rs_llama3, IM | AB},
	{"falcon3", rs_llama3, IM | AB},
	{"falcon-h1", rs_llama3, IM | AB},
	{"pixtral", rs_llama3, IM | AB},
	{"midm-2.0", rs_llama3, IM | AB},
	{"lfm2", rs_llama3, IM | AB},
	{"jina-v5-nano", rs_llama3, IM | AB},
	{"deepseek-llm", rs_deepseek_llm, 0},
	{"deepseek-coder", rs_deepseek_coder, 0},
	{"deepseek-v3", rs_deepseek3_llm, 0},
	{"youtu", rs_youtu, IM},
	{"falcon", rs_falcon, 0},
	{"mpt", rs_gpt2, 0},
	{"starcoder", rs_starcoder, 0},
	{"gpt-2", rs_gpt2, 0},
	{"phi-2", rs_gpt2, 0},
	{"jina-es", rs_gpt2, 0},
	{"jina-de", rs_gpt2, 0},
	{"gigachat", rs_gpt2, 0},
	{"jina-v2-es", rs_gpt2, 0},
	{"jina-v2-de", rs_gpt2, 0},
	{"a.x-4.0", rs_gpt2, 0},
	{"mellum", rs_gpt2, 0},
	{"modern-bert", rs_gpt2, 0},
	{"jais-2", rs_jais2, 0},
	{"gemma4", rs_gemma4, TOK_PRE_RAW | TOK_PRE_ESCAPE_WS | TOK_PRE_FORCE_BOS | TOK_PRE_NL_WORDS},
	{"granite-embed-multi-311m", rs_gemma4,
	 TOK_PRE_RAW | TOK_PRE_ESCAPE_WS | TOK_PRE_FORCE_BOS | TOK_PRE_NL_WORDS},
	{"sarvam-moe", rs_gemma4, TOK_PRE_RAW | TOK_PRE_ESCAPE_WS},
	{"jina-v1-en", rs_gpt2, 0},
	{"jina-v2-code", rs_gpt2, 0},
	{"roberta-bpe", rs_gpt2, 0},
	{"whitespace", rs_whitespace, TOK_PRE_RAW},
	{"refact", rs_starcoder, 0},
	{"command-r", rs_starcoder, 0},
	{"qwen2", rs_stablelm2, 0},
	{"deepseek-r1-qwen", rs_stablelm2, 0},
	{"kormo", rs_stablelm2, 0},
	{"f2llmv2", rs_stablelm2, 0},
	{"qwen35", rs_qwen35, 0},
	{"stablelm2", rs_stablelm2, 0},
	{"olmo", rs_gpt2, 0},
	{"dbrx", rs_llama3, 0},
	{"smaug-bpe", rs_llama3, 0},
	{"poro-chat", rs_poro, 0},
	{"glm4", rs_llama3, TOK_PRE_NO_BOS},
	{"chatglm-bpe", rs_llama3, TOK_PRE_NO_BOS},
	{"viking", rs_viking, 0},
	{"jais", rs_gpt2, 0},
	{"tekken", rs_tekken, IM | AB},
	{"smollm", rs_starcoder, 0},
	{"codeshell", rs_starcoder, 0},
	{"bloom", rs_poro, 0},
	{"gpt3-finnish", rs_poro, 0},
	{"exaone", rs_starcoder, 0},
	{"exaone4", rs_gpt2, 0},
	{"exaone-moe", rs_exaone_moe, 0},
	{"chameleon", rs_chameleon, AB},
	{"minerva-7b", rs_starcoder, 0},
	{"megrez", rs_stablelm2, 0},
	{"gpt-4o", rs_gpt4o, 0},
	{"llama4", rs_gpt4o, 0},
	{"kanana2", rs_gpt4o, 0},
	{"talkie", rs_gpt4o, 0},
	{"granite-embed-multi-97m", rs_granite_emb_multi, IM},
	{"tiny_aya", rs_tiny_aya, 0},
	{"cohere2moe", rs_tiny_aya, 0},
	{"superbpe", rs_superbpe, 0},
	{"trillion", rs_gpt2, 0},
	{"granite-docling", rs_gpt2, 0},
	{"bailingmoe", rs_bailingmoe, 0},
	{"bailingmoe2", rs_bailingmoe, 0},
	{"llada-moe", rs_bailingmoe, 0},
	{"seed-coder", rs_seed_coder, 0},
	{"hunyuan", rs_stablelm2, 0},
	{"hunyuan-dense", rs_deepseek3_llm, 0},
	{"joyai-llm", rs_deepseek3_llm, 0},
	{"kimi-k2", rs_kimi_k2, TOK_PRE_MERGES_OPTIONAL},
	{"grok-2", rs_stablelm2, 0},
	{"afmoe", rs_afmoe, 0},
	{"laguna", rs_laguna, 0},
	{"minimax-m2", rs_gpt4o, 0},
	{"solar-open", rs_stablelm2, 0},
	{"mellum2", rs_starcoder, 0},
	{NULL, NULL, 0},
};
