% rebase('layout')
<h1>Confirm your e-mail</h1>
% if errors:
<p class="error" role="alert" id="token-error">{{errors.get('token', '')}}</p>
<p><a href="{{with_next('/login', next)}}">Log in</a> to get a new confirmation link.</p>
% else:
<p>Please press the button to confirm your e-mail address.</p>
<form id="verify-form" method="post" action="/verify" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <input type="hidden" name="token" value="{{token}}">
  <input type="hidden" name="next" value="{{next}}">
  <button type="submit" class="button primary">Confirm my e-mail</button>
</form>
% end
