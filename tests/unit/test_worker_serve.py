"""The worker's serve loop pieces that need no sandbox: bounded output."""
from autograder.worker.serve import OUTPUT_LIMIT, BoundedText


def test_output_is_kept_up_to_the_limit_and_the_rest_counted():
    out = BoundedText()
    out.write("a" * (OUTPUT_LIMIT - 5))
    out.write("b" * 10)
    out.write(3)
    text = out.take()
    assert text.startswith("a" * (OUTPUT_LIMIT - 5) + "bbbbb\n[... 6 more characters of output dropped]")
    assert out.take() == ""
