
SNIPPET = "tied_gradients/count_parameters.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_parameters_are_deduplicated_but_per_layer_sums_count_twice(out):
    real = (4 * 8 + 8) + (8 * 8 + 8) + (8 * 1 + 1)
    assert out.splitlines() == ["6", "8", str(real), str(real + 8 * 8 + 8)]


def test_named_parameters_without_dedup_repeat_the_shared_names(ns):
    names = [n for n, _ in ns["net"].named_parameters(remove_duplicate=False)]
    assert names.count("2.weight") == 1 and "4.weight" in names
    assert "4.weight" not in dict(ns["net"].named_parameters())
