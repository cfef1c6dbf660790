"""course_tools: the instructor's and CI's tools, kept out of the package students read.

``python -m course_tools.figures`` draws images/, ``course_tools.student_edition``
writes the student edition, ``course_tools.grading`` grades it (each submission in the
sandbox of ``course_tools.sandbox``, its cells read by ``course_tools.code_scan``), and
``course_tools.slides`` is used by ``make slides``. They import ``course_utils``;
``course_utils`` never imports them.
"""
