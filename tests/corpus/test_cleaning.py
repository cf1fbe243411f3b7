from corpus.cleaning import clean_text
from corpus.loaders import load_paths
from index.chunking import chunk_document
from tests.conftest import GUIDES_DIR


def _guides():
    documents, problems = load_paths([GUIDES_DIR])
    assert problems == []
    return {d.doc_id: d for d in documents}


def test_shipped_guides_have_titles_conditions_and_stable_ids():
    guides = _guides()
    assert sorted(guides) == ["als-living", "als-magnetic-stimulation", "als-treatment", "scleroderma-guide"]
    assert guides["scleroderma-guide"].conditions == ("scleroderma",)
    assert guides["als-treatment"].title == "Treatment for ALS treatment resistance"
    assert all(d.conditions == ("als",) for k, d in guides.items() if k.startswith("als"))


def test_no_chunk_carries_the_split_word_or_page_furniture():
    for document in _guides().values():
        for chunk in chunk_document(document, 600):
            assert "pulmona\n" not in chunk.text and "pulmona ry" not in chunk.text
            assert not chunk.text.lstrip().startswith("ry ")
            for furniture in ("Sources and images", "You might also like"):
                assert furniture not in chunk.text
            assert "\n\n\n" not in chunk.text
    assert "pulmonary fibrosis, gastrointestinal issues" in _guides()["scleroderma-guide"].text


def test_every_cleaned_character_maps_back_to_the_file_as_received():
    for document in _guides().values():
        raw = (GUIDES_DIR / document.source).read_text(encoding="utf-8")
        for offset, char in enumerate(document.text):
            raw_char = raw[document.offset_map.to_raw(offset)]
            assert raw_char == char or (char == " " and raw_char.isspace())


def test_words_broken_across_lines_are_joined_and_separate_words_keep_a_space():
    text, _ = clean_text("Lung problems such as pulmona\n\nry fibrosis and treat-\nment of the\nskin.\n\n\n\n")
    assert text == "Lung problems such as pulmonary fibrosis and treatment of the skin."


def test_furniture_lines_are_removed_wherever_they_stand():
    text, _ = clean_text("Title\n\nShare this article\n\nA real sentence about care.\n\nSources and images\n\nYou might also like\nOther story")
    assert text == "Title\n\nA real sentence about care."
