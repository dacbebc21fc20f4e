% rebase('layout')
<h1>Contact details</h1>
% include('_errors', anchors={'channel': 'channel-error'}, fields=('name', 'phone', 'address', 'channel'), labels={'name': 'Name', 'phone': 'Phone', 'address': 'Address', 'channel': 'Messages'})
<form id="profile-form" method="post" action="/account/profile" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <p>E-mail (your log-in): <strong>{{email}}</strong>. <a href="/account/email">Change e-mail address</a></p>
% include('_field', name='name', label='Name', autocomplete='name', required=True)
% include('_field', name='phone', label='Phone', type='tel', autocomplete='tel', required=True)
% include('_field', name='address', label='Address', type='textarea', autocomplete='street-address', optional=True, rows=3)
  <fieldset{{!' aria-describedby="channel-error"' if errors.get('channel') else ''}}>
    <legend>How should we send you messages?</legend>
% if errors.get('channel'):
    <p class="error" id="channel-error">Messages: {{errors['channel']}}</p>
% end
% for value, words in (('email', 'By e-mail'), ('sms', 'By text message (SMS)'), ('none', 'No messages, please')):
    <label class="choice" for="channel-{{value}}"><input type="radio" id="channel-{{value}}" name="channel" value="{{value}}"{{!' checked' if form.get('channel') == value else ''}}> <span>{{words}}</span></label>
% end
    <label class="choice" for="reminders"><input type="checkbox" id="reminders" name="reminders"{{!' checked' if form.get('reminders') == 'on' else ''}}> <span>Remind me of my appointments and when my car is due for a service</span></label>
  </fieldset>
  <button type="submit" class="button primary">Save</button>
  <a class="button" href="/account">Cancel</a>
</form>
