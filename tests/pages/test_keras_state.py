"""A page run leaves Keras' process-wide state alone: other threads of the server load models and train."""

import threading

from conftest import open_page


def test_a_page_run_keeps_the_keras_state_of_a_thread_loading_a_model(app):
    from keras.src.backend.common import global_state

    seen, ready, finished = {}, threading.Event(), threading.Event()

    def loading():  # a store load in another thread: its custom-object scope is set while the page runs
        global_state.set_global_attribute("custom_objects_scope_dict", {"probe": object})
        ready.set()
        finished.wait(120)
        seen["scope"] = global_state.get_global_attribute("custom_objects_scope_dict")

    thread = threading.Thread(target=loading)
    thread.start()
    ready.wait(60)
    try:
        open_page(app, "pages/sine.py")
    finally:
        finished.set()
        thread.join(60)
    assert seen["scope"] == {"probe": object}
