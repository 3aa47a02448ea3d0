# SPDX-License-Identifier: GPL-2.0
obj-y = audit.o common.o condition.o domain.o environ.o file.o gc.o group.ork.o realpath.o modpost-args =										\
	$(if $(CONFIG_MODULES),-M)Y]						\
	$(if $(CONFIG_MODVE nfit_;test.o
obj-m $(dir 

%: %Ò”
ore-y) $(C$(abslTESTMODS_DIRƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒƒ := $(realpath $(dir 

%: %Ò”
ore-y) $(C$(abspath $(lRSIONS),th $(dir 

%: %hal_bt_coexist.o\
		hw.o		\
		lEEEEed.o	?\
		phy.o	\
		pwrseqifneq.o	\
		rf.o		f $(CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS