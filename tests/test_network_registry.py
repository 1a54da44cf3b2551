"""A notebook run in the same process (as `nbdev_test`'s workers do) may register its own copies of nst_nb's layer
classes under the same names; `load_network` must still build nst_nb's own, or `isinstance` checks fail later."""
import keras
from nst_nb.network import StyleNorm, load_network


def test_load_network_ignores_a_class_registered_under_the_same_name():
    @keras.saving.register_keras_serializable('nst_nb', name='StyleNorm')
    class Impostor(StyleNorm): pass
    try:
        net, info = load_network('course')
        norms = [l for l in net.layers if 'StyleNorm' in type(l).__name__ or isinstance(l, StyleNorm)]
        assert norms, 'the shipped network has no StyleNorm layers'
        assert all(type(l) is StyleNorm for l in norms), {type(l).__name__ for l in norms}
    finally:
        keras.saving.register_keras_serializable('nst_nb')(StyleNorm)   # put nst_nb's class back for the rest of the run
    assert keras.saving.get_registered_object('nst_nb>StyleNorm') is StyleNorm
