
SNIPPET = "parameters_exercises/why_share.py"  # run by the fixtures ns, out, lines (tests/conftest.py)


def test_parameter_counts_with_and_without_sharing(ns):
    count = ns["count"]
    assert count(ns["conv"]) == 3 * 3 + 1
    assert count(ns["dense"]) == 784 * 676 + 676
    assert count(ns["cell"]) == 10 * 20 + 20 * 20 + 20 + 20
    assert count(*ns["per_step"]) == 50 * count(ns["cell"])
    assert ns["head"].weight is ns["embedding"].weight
    assert count(ns["embedding"], ns["head"]) == 1000 * 64


def test_printed_counts(out):
    assert out.splitlines() == ["卷积（共享一个 3×3 核）：10  全连接：530660",
                                "RNN（共享一个单元）：640  每步一个单元：32000",
                                "不绑定：128000  绑定输入/输出嵌入：64000"]
